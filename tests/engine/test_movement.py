"""Movement: arrival, inspection, the go barrier, departure, delivery."""

from .world import World, full_receipts, leg, two_legs


def test_arrival_needs_a_scheduled_plan():
    world = World().submit().consent_all()
    world.refused("state.wrong", "border", "leg.arrive", leg="leg-a", checkpoint="lachin")


def test_arrival_names_a_real_leg_and_checkpoint_and_starts_at_the_gate():
    world = World().cleared_and_scheduled()
    world.refused("leg.unknown", "border", "leg.arrive", leg="leg-z", checkpoint="lachin")
    world.refused("checkpoint.unknown", "border", "leg.arrive", leg="leg-a", checkpoint="moon")
    world.refused("state.wrong", "recv", "leg.arrive", leg="leg-a", checkpoint="post")
    world.refused("party.not_required", "org-b", "leg.arrive", leg="leg-a", checkpoint="lachin")


def test_arrival_at_an_uninspected_gate_clears_the_leg():
    world = World().cleared_and_scheduled()
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    assert world.plan().legs["leg-b"].phase == "cleared"
    assert world.plan().status == "in_progress"
    world.refused("state.wrong", "org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")


def test_inspection_before_arrival_is_refused():
    world = World().cleared_and_scheduled()
    world.refused("state.wrong", "customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[],
                  decision="cleared")


def test_only_the_checkpoints_inspectors_inspect():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.refused("party.wrong_capacity", "escort", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[],
                  decision="cleared")
    world.refused("party.not_required", "org-b", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[],
                  decision="cleared")


def test_inspection_reports_must_be_consistent():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    base = {"leg": "leg-a", "checkpoint": "lachin"}
    world.refused("inspection.invalid", "customs", "leg.inspect", **base, findings=[], decision="waved")
    world.refused("inspection.invalid", "customs", "leg.inspect", **base, findings=[], decision="cleared_with_offload")
    world.refused("inspection.invalid", "customs", "leg.inspect", **base, findings=[], decision="cleared",
                  offload=["kits"])
    world.refused("inspection.invalid", "customs", "leg.inspect", **base, decision="cleared",
                  findings=[{"line": "kits", "found": 50, "codes": ["stolen"]}])
    world.refused("inspection.invalid", "customs", "leg.inspect", **base, decision="cleared",
                  findings=[{"line": "kits", "found": 50}, {"line": "kits", "found": 49}])
    world.refused("inspection.invalid", "customs", "leg.inspect", **base, decision="cleared", findings=[],
                  seals=[{"seal": "S-999", "intact": True}])
    world.refused("line.unknown", "customs", "leg.inspect", **base, decision="cleared",
                  findings=[{"line": "gold", "found": 1}])
    world.refused("quantity.invalid", "customs", "leg.inspect", **base, decision="cleared",
                  findings=[{"line": "kits", "found": -1}])


def test_offload_and_findings_change_what_must_be_receipted():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", decision="cleared_with_offload",
             findings=[{"line": "flour", "found": 990, "codes": ["missing"]}], offload=["kits"],
             seals=[{"seal": "S-1", "intact": False}])
    assert world.plan().legs["leg-a"].carried == {"flour": 990, "kits": 0}
    world.released_and_departed()
    world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    world.do("recv", "leg.deliver", leg="leg-a", receipts=[{"line": "flour", "good": 980, "lost": 10}])
    assert world.plan().legs["leg-a"].phase == "delivered"


def test_more_found_than_the_leg_carries_is_reported_as_excess():
    """One inspector's 900,000 for a line of 1,000 would become what the receiver must sign for: unmarked, it
    is refused; marked `excess`, it stands, under the inspector's signature."""
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    base = {"leg": "leg-a", "checkpoint": "lachin", "decision": "cleared"}
    carried = world.plan().legs["leg-a"].carried["flour"]
    world.refused("inspection.invalid", "customs", "leg.inspect", **base,
                  findings=[{"line": "flour", "found": carried + 1}])
    world.refused("inspection.invalid", "customs", "leg.inspect", **base,
                  findings=[{"line": "flour", "found": carried + 1, "codes": ["missing"]}])
    world.do("customs", "leg.inspect", **base, findings=[{"line": "flour", "found": carried + 1, "codes": ["excess"]}])
    assert world.plan().legs["leg-a"].carried["flour"] == carried + 1


def test_held_vehicle_can_be_inspected_again():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="held")
    assert world.plan().legs["leg-a"].phase == "held"
    assert {"border", "customs"} <= set(world.plan().waiting_since)
    world.do("border", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared")
    assert world.plan().legs["leg-a"].phase == "cleared"


def test_go_waits_for_every_leg_of_a_simultaneous_plan():
    world = World().cleared_and_scheduled()
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.now += 3600
    error = world.refused("barrier.not_ready", "escort", "plan.go")
    assert "leg-a" in error.message
    # while leg-b waits cleared at its gate, the clock runs on leg-a's inspectors, not on leg-b
    assert set(world.plan().waiting_since) == {"border", "customs"}


def test_go_before_the_slot_opens_is_left_to_the_service_while_the_window_is_committed():
    """The fold does not know the window before the reveal: the recording service refuses an early go
    against its private copy (tests/service/passages/test_privacy.py); the engine checks a known window."""
    world = World().cleared_and_scheduled().at_gates_cleared()
    world.do("escort", "plan.go")
    assert world.plan().legs["leg-a"].phase == "released"


def test_go_comes_from_the_convoy():
    world = World().cleared_and_scheduled().at_gates_cleared()
    world.now += 3600
    world.refused("party.wrong_capacity", "customs", "plan.go")
    world.refused("party.not_required", "org-b", "plan.go")
    world.refused("leg.unknown", "escort", "plan.go", legs=["leg-z"])


def test_departure_only_after_go_and_delivery_only_after_departure():
    world = World().cleared_and_scheduled().at_gates_cleared()
    world.refused("state.wrong", "org-a", "leg.depart", leg="leg-a")
    world.now += 3600
    world.do("escort", "plan.go")
    world.refused("state.wrong", "recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    world.do("org-a", "leg.depart", leg="leg-a")
    world.refused("party.wrong_capacity", "border", "leg.deliver", leg="leg-a", receipts=full_receipts())
    world.refused("party.not_required", "org-b", "leg.deliver", leg="leg-a", receipts=full_receipts())
    world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-a", receipts=full_receipts({"flour": 1000}))
    world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-a",
                  receipts=[*full_receipts(), {"line": "kits", "good": 0}])
    world.refused("line.unknown", "recv", "leg.deliver", leg="leg-a",
                  receipts=[*full_receipts(), {"line": "gold", "good": 1}])
    world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())


def test_simultaneous_plan_completes_when_every_leg_is_delivered():
    world = World().cleared_and_scheduled().at_gates_cleared().released_and_departed()
    world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    assert world.plan().status == "in_progress"
    world.do("recv", "leg.deliver", leg="leg-b", receipts=[{"line": "flour", "good": 990, "damaged": 10},
                                                          {"line": "kits", "good": 50}])
    assert world.plan().status == "completed"
    world.refused("plan.closed", "org-a", "leg.depart", leg="leg-a")


def test_turned_back_leg_aborts_a_simultaneous_plan():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("border", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="turned_back",
             text="Undeclared items")
    assert world.plan().status == "aborted"
    assert world.plan().waiting_since == {}


def test_independent_legs_go_separately():
    world = World().cleared_and_scheduled(**two_legs(linkage="independent"))
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    world.now += 3600
    world.refused("state.wrong", "escort", "plan.go", legs=["leg-a"])
    world.do("escort", "plan.go")
    assert world.plan().legs["leg-b"].phase == "released"
    assert world.plan().legs["leg-a"].phase == "planned"


def test_turned_back_independent_leg_leaves_the_other_leg_going():
    world = World().cleared_and_scheduled(**two_legs(linkage="independent"))
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="turned_back")
    assert world.plan().status == "in_progress"
    world.do("org-a", "leg.arrive", leg="leg-b", checkpoint="gate-b")
    world.now += 3600
    world.do("escort", "plan.go", legs=["leg-b"]).do("escort", "leg.depart", leg="leg-b")
    world.do("recv", "leg.deliver", leg="leg-b", receipts=full_receipts())
    assert world.plan().status == "completed"


def test_en_route_checkpoint_inspection_after_departure():
    world = World().cleared_and_scheduled(legs=[leg("leg-a", "road-a")])
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared")
    world.now += 3600
    world.do("org-a", "plan.go").do("org-a", "leg.depart", leg="leg-a")
    world.refused("state.wrong", "org-a", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("recv", "leg.arrive", leg="leg-a", checkpoint="post")
    assert set(world.plan().waiting_since) == {"recv"}
    world.refused("state.wrong", "recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    world.do("recv", "leg.inspect", leg="leg-a", checkpoint="post", findings=[], decision="cleared")
    world.do("recv", "leg.deliver", leg="leg-a", receipts=full_receipts())
    assert world.plan().status == "completed"


def test_reverse_direction_meets_the_last_checkpoint_first():
    world = World().cleared_and_scheduled(legs=[leg("leg-a", "road-a", direction="reverse")])
    world.refused("state.wrong", "border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("recv", "leg.arrive", leg="leg-a", checkpoint="post")
    assert world.plan().legs["leg-a"].phase == "arrived"


def test_seals_applied_at_one_checkpoint_are_checked_at_the_next():
    world = World().cleared_and_scheduled(legs=[leg("leg-a", "road-a")])
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", findings=[], decision="cleared",
             seals=[{"seal": "S-1", "intact": False}], applied=[{"seal": "C-77", "vehicle": "v1"}])
    report = world.plan().legs["leg-a"].inspections[-1][2]
    assert [(s.seal, s.vehicle) for s in report.applied] == [("C-77", "v1")]
    world.now += 3600
    world.do("org-a", "plan.go").do("org-a", "leg.depart", leg="leg-a")
    world.do("recv", "leg.arrive", leg="leg-a", checkpoint="post")
    base = {"leg": "leg-a", "checkpoint": "post", "findings": [], "decision": "cleared"}
    world.refused("inspection.invalid", "recv", "leg.inspect", **base, seals=[{"seal": "C-78", "intact": True}])
    world.refused("inspection.invalid", "recv", "leg.inspect", **base,
                  seals=[{"seal": "C-77", "intact": True}, {"seal": "C-77", "intact": False}])
    world.do("recv", "leg.inspect", **base, seals=[{"seal": "S-1", "intact": False}, {"seal": "C-77", "intact": True}])


def test_an_applied_seal_has_a_new_number_and_names_a_vehicle_of_the_leg():
    world = World().cleared_and_scheduled()
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    base = {"leg": "leg-a", "checkpoint": "lachin", "findings": [], "decision": "cleared"}
    for applied in ([{"seal": "S-1"}], [{"seal": "C-1"}, {"seal": "C-1"}], [{"seal": " "}],
                    [{"seal": "C-1", "vehicle": "v9"}]):
        world.refused("inspection.invalid", "customs", "leg.inspect", **base, applied=applied)
    world.do("customs", "leg.inspect", **base, applied=[{"seal": "C-1"}])
