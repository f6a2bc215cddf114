"""The rules' shortcuts for the fold's common case (issue 12: plain loops, checks skipped when there is nothing to
check) leave every answer as it was: the same parties required in the same order, the same refusals word for word."""

from .world import World, crew, full_receipts, leg, two_legs

LINES = leg()["lines"]


def test_required_parties_keep_the_order_first_met_and_each_capacity_once():
    plan = World().submit(**two_legs()).plan()
    assert plan.required == {"border": ("border_control", "transit"), "customs": ("customs",),
                             "recv": ("receiving_security",), "escort": ("escort",)}
    assert list(plan.positions) == ["border", "customs", "recv", "escort"]


def test_repeated_ids_are_named_with_their_leg():
    world = World()
    refusal = world.refused("plan.invalid", "org-a", "plan.submit", legs=[leg("x"), leg("x", "road-b")])
    assert refusal.message == "each leg needs its own id; repeated: x"
    refusal = world.refused("plan.invalid", "org-a", "plan.submit", legs=[leg(lines=[*LINES, LINES[0]])])
    assert refusal.message == "each manifest line in leg leg-a needs its own id; repeated: flour"
    vehicles = leg()["vehicles"]
    refusal = world.refused("plan.invalid", "org-a", "plan.submit", legs=[leg(vehicles=[*vehicles, *vehicles])])
    assert refusal.message == "each vehicle in leg leg-a needs its own id; repeated: v1"


def test_goods_and_crew_only_on_the_legs_own_vehicles():
    world = World()
    lines = [LINES[0] | {"vehicle": "v9"}, LINES[1] | {"vehicle": "v8"}]
    refusal = world.refused("plan.invalid", "org-a", "plan.submit", legs=[leg(lines=lines)])
    assert refusal.message == "leg leg-a puts goods on vehicles it does not list: v8, v9"
    seated = [{"commitment": crew("A. Driver", "P-1"), "vehicle": "v7"}, crew("B. Mate", "P-2")]
    refusal = world.refused("crew.vehicle_unknown", "org-a", "plan.submit", legs=[leg(crew=seated)])
    assert refusal.message == "leg leg-a seats crew in vehicles it does not list: v7"
    World().submit(legs=[leg(lines=[line | {"vehicle": "v1"} for line in LINES], crew=[crew("C", "P-3")])])


def test_an_unknown_discrepancy_code_is_named():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    refusal = world.refused("inspection.invalid", "customs", "leg.inspect", leg="leg-a", checkpoint="lachin",
                            decision="cleared", findings=[{"line": "flour", "found": 1000, "codes": ["bent"]}])
    assert refusal.message.startswith("unknown discrepancy codes ['bent']; use ['damaged', ")


def test_receipts_must_match_what_is_carried_and_a_line_offloaded_may_be_receipted_at_zero():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", decision="cleared_with_offload",
             findings=[], offload=["kits"])
    world.released_and_departed()
    refusal = world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-b",
                            receipts=full_receipts({"flour": 999, "kits": 50}))
    assert refusal.message == "line flour: carried 1000, receipted 999"
    refusal = world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-b",
                            receipts=full_receipts({"flour": 1000}))
    assert refusal.message == "line kits: carried 50, receipted 0"
    world.do("recv", "leg.deliver", leg="leg-b", receipts=full_receipts())
    world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts({"flour": 1000, "kits": 0}))
    assert world.plan().status == "completed"
