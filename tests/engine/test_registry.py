"""The registry (parties, routes) kept by the operator, and passages attested by data sources."""

from corridor.engine import Party, State
from corridor.engine.times import format_time

from .world import PARTIES, ROUTES, T0, World, leg, two_legs

OPERATOR = Party(id="operator", name="Corridor operator", kind="operator")
SOURCE = Party(id="jcc", name="Joint Coordination Centre data", kind="source")


def registry_world() -> World:
    world = World()
    world.state = State.with_registry([*PARTIES, OPERATOR, SOURCE], ROUTES)
    return world


def road_c(**overrides):
    return {"id": "road-c", "name": "Road C", "checkpoints": [{"id": "gate-c", "name": "Gate C"}],
            "policy": [{"party": "recv", "capacity": "receiving_security"}]} | overrides


def attestation(**overrides):
    return {"passage": "v1", "dataset": "bsgi", "reference": "1", "crossing": "Istanbul JCC", "departed": "2022-08-01",
            "lines": [{"item": "Corn", "quantity": 26527, "unit": "t", "weight_kg": 26527000}]} | overrides


def test_operator_registers_a_party_and_defines_a_route_that_plans_can_use():
    world = registry_world()
    world.do("operator", "party.register", None, id="ngo-c", name="NGO C", kind="humanitarian")
    world.do("operator", "route.define", None, **road_c())
    assert world.state.parties["ngo-c"].name == "NGO C"
    world.do("ngo-c", "plan.submit", "pc", legs=[{"id": "l", "route": "road-c", "lines": [
        {"id": "x", "item": "Rice", "category": "food", "quantity": 1, "unit": "t", "weight_kg": 1000}]}])
    assert set(world.plan("pc").required) == {"recv"}


def test_a_party_keeps_its_kind_and_only_the_operator_keeps_the_registry():
    world = registry_world()
    world.refused("party.kind_change", "operator", "party.register", None, id="border", name="B", kind="observer")
    world.refused("party.role", "org-a", "party.register", None, id="x", name="X", kind="humanitarian")
    world.refused("party.role", "operator", "plan.submit", "p9", legs=[])


def test_routes_are_checked_and_cannot_change_under_a_passage():
    world = registry_world()
    world.refused("route.invalid", "operator", "route.define", None, **road_c(checkpoints=[]))
    twice = [{"id": "g", "name": "G"}, {"id": "g", "name": "G again"}]
    world.refused("route.invalid", "operator", "route.define", None, **road_c(checkpoints=twice))
    world.refused("party.unknown", "operator", "route.define", None,
                  **road_c(policy=[{"party": "nobody", "capacity": "escort"}]))
    world.submit()
    world.refused("route.in_use", "operator", "route.define", None, **road_c(id="road-a"))


def test_a_route_under_an_open_plan_is_redefined_once_that_plan_is_closed():
    world = registry_world()
    world.submit("p1", legs=[leg("leg-a", "road-a")])
    world.refused("route.in_use", "operator", "route.define", None, **road_c(id="road-a"))
    world.do("org-a", "plan.cancel", "p1")
    world.do("operator", "route.define", None, **road_c(id="road-a"))
    assert world.state.routes["road-a"].name == "Road C"


def test_the_fold_counts_open_plans_by_route_as_they_are_submitted_amended_and_closed():
    world = registry_world()
    world.submit("p1", **two_legs(legs=[leg("leg-a", "road-a"), leg("leg-b", "road-a")]))  # counts once on road-a
    world.submit("p2", expires_at=format_time(T0 + 3600), **two_legs())
    assert world.state.open_plans_by_route == {"road-a": 2, "road-b": 1}
    world.do("org-a", "plan.amend", "p1", legs=[leg("leg-b", "road-b")])
    assert world.state.open_plans_by_route == {"road-a": 1, "road-b": 2}
    world.do("org-a", "plan.cancel", "p1")
    assert world.state.open_plans_by_route == {"road-a": 1, "road-b": 1}
    world.at(2 * 3600).do("operator", "route.define", None, **road_c())  # p2 expired on the way
    assert world.plan("p2").status == "expired" and world.state.open_plans_by_route == {}


def test_a_source_attests_passages_and_nothing_else():
    world = registry_world()
    world.do("jcc", "passage.attest", None, **attestation())
    assert world.state.attestations["v1"].source == "jcc"
    assert world.state.attestations["v1"].attested_at == T0 + 60
    world.refused("attestation.exists", "jcc", "passage.attest", None, **attestation())
    world.refused("attestation.invalid", "jcc", "passage.attest", None, **attestation(passage="v2", lines=[]))
    world.refused("party.role", "org-a", "passage.attest", None, **attestation(passage="v3"))
    world.refused("party.role", "jcc", "plan.submit", "p9", legs=[])


def test_attested_dates_are_plain_days():
    world = registry_world()
    world.refused("statement.malformed", "jcc", "passage.attest", None,
                  **attestation(departed=format_time(T0)))


def test_an_attested_weight_is_unknown_unless_the_source_gave_one():
    world = registry_world()
    no_weight = {"item": "Flour", "quantity": 12, "unit": "Pallets"}
    world.do("jcc", "passage.attest", None, **attestation(passage="v1", lines=[no_weight]))
    world.do("jcc", "passage.attest", None, **attestation(passage="v2", lines=[no_weight | {"weight_kg": None}]))
    world.do("jcc", "passage.attest", None, **attestation(passage="v3", lines=[no_weight | {"weight_kg": 0}]))
    weights = [world.state.attestations[p].claim.lines[0].weight_kg for p in ("v1", "v2", "v3")]
    assert weights == [None, None, 0]  # an entry that said 0 (as older imports did) keeps its 0


def test_an_attested_line_keeps_the_source_row_as_text():
    world = registry_world()
    row = {"#": "981", "Metric tons": "18,137", "WFP": "", "Flag": "Marshall Islands "}
    line = {"item": "Corn", "quantity": 18137, "unit": "t", "weight_kg": 18137000, "published": row}
    world.do("jcc", "passage.attest", None, **attestation(lines=[line]))
    assert world.state.attestations["v1"].claim.lines[0].published == row
    assert world.state.attestations["v1"].claim.lines[0].weight_kg == 18137000
    world.refused("statement.malformed", "jcc", "passage.attest", None,
                  **attestation(passage="v2", lines=[line | {"published": {"Metric tons": 18137}}]))


def test_a_checkpoint_may_name_the_time_zone_of_its_crossing_and_omits_it_when_absent():
    import msgspec

    world = registry_world()
    zoned = [{"id": "gate-c", "name": "Gate C", "tz": "Asia/Baku"}]
    world.do("operator", "route.define", None, **road_c(checkpoints=zoned))
    assert world.state.routes["road-c"].checkpoints[0].tz == "Asia/Baku"
    assert msgspec.to_builtins(world.state.routes["road-a"].checkpoints[0]).keys() >= {"id", "name"}
    assert "tz" not in msgspec.to_builtins(world.state.routes["road-a"].checkpoints[0])  # routes as written before
    world.refused("statement.malformed", "operator", "route.define", None,
                  **road_c(id="road-d", checkpoints=[{"id": "g", "name": "G", "tz": "not a zone; drop table"}]))
