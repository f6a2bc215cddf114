"""Requesting passage and answering it: submit, amend, consent, refuse, ask, answer, withdraw, cancel, note."""

from .world import ROAD_A_PARTIES, World, leg, two_legs


def test_submit_records_the_plan_and_its_required_parties():
    plan = World().submit().plan()
    assert plan.status == "submitted"
    assert plan.required == {
        "border": ("border_control", "transit"), "customs": ("customs",), "recv": ("receiving_security",),
        "escort": ("escort",),
    }
    assert len(plan.version) == 64


def test_plan_id_cannot_be_reused():
    World().submit().refused("plan.exists", "org-a", "plan.submit", **two_legs())


def test_only_humanitarian_organisations_request_passage():
    World().refused("party.wrong_capacity", "border", "plan.submit", **two_legs())


def test_plan_must_name_existing_routes():
    World().refused("route.unknown", "org-a", "plan.submit", legs=[leg(route="road-z")])


def test_plan_needs_legs_with_distinct_ids_and_goods():
    world = World()
    world.refused("plan.invalid", "org-a", "plan.submit", legs=[])
    world.refused("plan.invalid", "org-a", "plan.submit", legs=[leg("x"), leg("x", "road-b")])
    world.refused("plan.invalid", "org-a", "plan.submit", legs=[leg(lines=[])])


def test_a_line_may_name_the_vehicle_that_carries_it_but_only_one_of_its_leg():
    on_v1 = [line | {"vehicle": "v1"} for line in leg()["lines"]]
    plan = World().submit(legs=[leg(lines=on_v1)]).plan()
    assert [line.vehicle for line in plan.content.legs[0].lines] == ["v1", "v1"]
    World().refused("plan.invalid", "org-a", "plan.submit", legs=[leg(lines=[on_v1[0] | {"vehicle": "v9"}])])


def test_plan_cannot_expire_before_it_is_submitted():
    World().refused("plan.invalid", "org-a", "plan.submit", **two_legs(expires_at="2020-01-01T00:00:00Z"))


def test_consent_of_every_required_party_clears_the_plan():
    world = World().submit()
    for party in ("border", "customs", "recv"):
        world.do(party, "plan.consent", version=world.version())
        assert world.plan().status == "awaiting_consent"
    world.do("escort", "plan.consent", version=world.version())
    assert world.plan().status == "cleared"


def test_party_not_on_the_route_cannot_consent():
    world = World().submit(legs=[leg("only-b", "road-b")])
    world.refused("party.not_required", "customs", "plan.consent", version=world.version())


def test_party_cannot_consent_in_a_capacity_it_does_not_hold():
    world = World().submit()
    world.refused("party.wrong_capacity", "customs", "plan.consent", version=world.version(), capacity="escort")


def test_consent_to_a_stale_version_is_refused():
    world = World().submit()
    old = world.version()
    world.do("org-a", "plan.amend", **two_legs(tolerance_seconds=600))
    world.refused("version.stale", "border", "plan.consent", version=old)


def test_consent_cannot_be_given_twice():
    world = World().submit()
    world.do("border", "plan.consent", version=world.version())
    world.refused("consent.already_given", "border", "plan.consent", version=world.version())


def test_amendment_voids_every_earlier_consent():
    world = World().submit().consent_all()
    assert world.plan().status == "cleared"
    world.do("org-a", "plan.amend", **two_legs(legs=[leg("leg-a", "road-a")]))
    plan = world.plan()
    assert plan.status == "submitted"
    assert {p.stance for p in plan.positions.values()} == {"pending"}
    assert set(plan.required) == set(ROAD_A_PARTIES)
    assert plan.amendments == 1


def test_identical_amendment_is_refused():
    World().submit().refused("plan.invalid", "org-a", "plan.amend", **two_legs())


def test_only_the_requester_amends_or_cancels():
    world = World().submit()
    world.refused("party.not_requester", "border", "plan.amend", **two_legs(tolerance_seconds=60))
    world.refused("party.not_requester", "org-b", "plan.cancel")


def test_refusal_can_name_lines_and_returns_the_ball_to_the_requester():
    world = World().submit()
    world.do("customs", "plan.refuse", version=world.version(), reason="dual_use",
             lines=[{"leg": "leg-a", "line": "kits"}], text="Kits contain restricted items")
    plan = world.plan()
    assert plan.status == "refused"
    assert plan.positions["customs"].lines == (("leg-a", "kits"),)
    assert set(plan.waiting_since) == {"org-a"}


def test_refusal_must_name_real_lines_and_reasons():
    world = World().submit()
    version = world.version()
    world.refused("line.unknown", "customs", "plan.refuse", version=version, reason="manifest",
                  lines=[{"leg": "leg-a", "line": "gold"}])
    world.refused("leg.unknown", "customs", "plan.refuse", version=version, reason="manifest",
                  lines=[{"leg": "leg-z", "line": "kits"}])
    world.refused("reason.unknown", "customs", "plan.refuse", version=version, reason="we-do-not-like-it")


def test_a_party_that_consented_withdraws_rather_than_refuses():
    world = World().submit()
    world.do("customs", "plan.consent", version=world.version())
    world.refused("state.wrong", "customs", "plan.refuse", version=world.version(), reason="security")


def test_refusing_party_may_change_its_mind():
    world = World().submit()
    world.do("recv", "plan.refuse", version=world.version(), reason="security")
    world.do("recv", "plan.consent", version=world.version())
    assert world.plan().positions["recv"].stance == "consented"


def test_information_request_and_answer():
    world = World().submit()
    world.do("border", "plan.request_info", request="q1", question="Date and time of passage?")
    world.refused("state.wrong", "customs", "plan.request_info", request="q1", question="Again?")
    world.refused("request.unknown", "org-a", "plan.answer", request="q9", answer="?")
    world.do("org-a", "plan.answer", request="q1", answer="To be notified 48 h ahead")
    world.refused("request.unknown", "org-a", "plan.answer", request="q1", answer="twice")
    assert world.plan().requests["q1"].answer == "To be notified 48 h ahead"


def test_withdrawal_needs_a_consent_and_stops_a_cleared_plan():
    world = World().submit()
    world.refused("consent.not_given", "recv", "plan.withdraw", reason="security")
    world.consent_all().schedule()
    world.do("recv", "plan.withdraw", reason="security", text="Security cannot be guaranteed")
    assert world.plan().status == "withdrawn"
    world.refused("state.wrong", "border", "leg.arrive", leg="leg-a", checkpoint="lachin")


def test_withdrawal_at_the_gate_blocks_go_and_re_consent_restores():
    world = World().cleared_and_scheduled().at_gates_cleared()
    world.do("recv", "plan.withdraw", reason="security")
    assert world.plan().status == "withdrawn"
    world.now += 3600
    world.refused("state.wrong", "escort", "plan.go")
    world.do("recv", "plan.consent", version=world.version())
    world.do("escort", "plan.go")
    assert world.plan().status == "in_progress"


def test_withdrawal_after_release_is_refused():
    world = World().cleared_and_scheduled().at_gates_cleared().released_and_departed()
    world.refused("state.wrong", "recv", "plan.withdraw", reason="security")


def test_cancel_closes_the_plan_for_good():
    world = World().submit()
    world.do("org-a", "plan.cancel", text="Goods redirected")
    assert world.plan().status == "cancelled"
    assert world.plan().waiting_since == {}
    world.refused("plan.closed", "border", "plan.consent", version=world.version())


def test_cancel_after_departure_is_refused():
    world = World().cleared_and_scheduled().at_gates_cleared().released_and_departed()
    world.refused("state.wrong", "org-a", "plan.cancel")


def test_amend_after_movement_started_is_refused():
    world = World().cleared_and_scheduled().at_gates_cleared()
    world.refused("state.wrong", "org-a", "plan.amend", **two_legs(tolerance_seconds=60))


def test_statements_about_unknown_plans_are_refused():
    World().refused("plan.unknown", "border", "plan.consent", plan="nope", version="x")


def test_expired_plan_refuses_further_statements():
    world = World().submit(**two_legs(expires_at="2023-09-12T08:00:00Z"))
    world.now += 2 * 86400
    world.refused("plan.expired", "border", "plan.consent", version=world.version())
    assert world.plan().status == "expired"
    assert world.plan().closed_at == world.plan().expires_at


def test_notes_are_attached_by_hash_even_after_closure():
    world = World().submit()
    world.do("org-a", "plan.cancel")
    world.do("recv", "plan.note", sha256="ab" * 32, kind="note_verbale", title="Protest")
    assert world.plan().notes[0].party == "recv"
    world.refused("note.invalid", "recv", "plan.note", sha256="not-a-hash")
    world.refused("party.not_required", "org-b", "plan.note", sha256="ab" * 32)


def test_plan_id_must_be_a_plain_identifier():
    World().refused("plan.invalid", "org-a", "plan.submit", "plan one/../x", **two_legs())


def test_refusal_after_withdrawal_at_the_gate_still_stops_the_plan():
    # found by the property test: withdraw, then refuse, while vehicles wait at their gates
    world = World().cleared_and_scheduled().at_gates_cleared()
    world.do("border", "plan.withdraw", reason="security")
    world.do("border", "plan.refuse", version=world.version(), reason="security")
    assert world.plan().status == "refused"
    world.now += 3600
    world.refused("state.wrong", "escort", "plan.go")


def test_notes_are_kept_in_time_order_even_when_one_is_dated_a_little_earlier():
    # the plans' read model takes the last note as the latest (service/passages/projection.py `last_change`)
    world = World().at(100).submit()
    world.do("recv", "plan.note", sha256="ab" * 32)
    world.at(40).do("border", "plan.note", sha256="cd" * 32)  # within the allowed clock skew, before the last
    world.at(200).do("customs", "plan.note", sha256="ef" * 32)
    times = [note.at for note in world.plan().notes]
    assert times == sorted(times) and times[-1] == max(times) and len(times) == 3
    assert times[1] == times[0]  # dated earlier, kept at the fold's clock
