"""The leg.inspect form as a payload: nothing assumed (found counted or explicitly "as declared", a decision
chosen, every seal shown answered), every problem refused at once with its field, seals applied and
undeclared goods read from the tablet's fields."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from corridor.service.ledger.record import Refused
from corridor.service.web.inspection_form import (
    fill_as_declared,
    gone_lines,
    inspection_payload,
    vehicle_groups,
)

from ...engine.world import World, leg, plate

TRUCKS = [{"id": "t1", "plate": plate("AB-1"), "type": "truck"}, {"id": "t2", "plate": plate("AB-2"), "type": "truck"}]


def at_lachin(**leg_overrides) -> World:
    world = World().cleared_and_scheduled(legs=[leg("leg-a", "road-a", **leg_overrides)])
    return world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")


def form(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({"leg": "leg-a", "checkpoint": "lachin"})
    for name, value in fields.items():
        data.setlist(name.replace("_", "-") if name.startswith(("found_", "codes_", "seal_")) else name,
                     value if isinstance(value, list) else [value])
    return data


def refused(world: World, data: QueryDict) -> Refused:
    with pytest.raises(Refused) as caught:
        inspection_payload(data, world.plan())
    return caught.value


def test_the_form_as_it_comes_is_refused_with_what_to_do():
    error = refused(at_lachin(), form(seal="S-1"))
    assert error.code == "inspection.incomplete" and error.status == 422
    assert "Count what was found for Wheat flour, Hygiene kits" in error.message
    assert "Choose a decision" in error.message and "S-1" in error.message
    assert [p["field"] for p in error.details] == ["found-flour", "seal-S-1", "decision"]


def test_all_as_declared_takes_what_the_leg_carries_and_records_nothing_else():
    payload = inspection_payload(form(as_declared="*", decision="cleared"), at_lachin().plan())
    assert payload == {"leg": "leg-a", "checkpoint": "lachin", "decision": "cleared", "offload": [], "text": "",
                       "findings": [{"line": "flour", "found": 1000, "codes": []},
                                    {"line": "kits", "found": 50, "codes": []}], "seals": []}
    at_lachin().do("customs", "leg.inspect", **payload)  # the engine takes it


def test_typed_counts_with_a_discrepancy_and_an_offload():
    data = form(found_flour="990", codes_flour=["missing", ""], found_kits="50", offload="kits",
                decision="cleared_with_offload", seal="S-1", seal_S_1="broken", text=" Kits offloaded ")
    data.setlist("seal-S-1", ["broken"])
    payload = inspection_payload(data, at_lachin().plan())
    assert payload["findings"] == [{"line": "flour", "found": 990, "codes": ["missing"]},
                                   {"line": "kits", "found": 50, "codes": []}]
    assert payload["seals"] == [{"seal": "S-1", "intact": False}] and payload["offload"] == ["kits"]
    assert payload["text"] == "Kits offloaded"


def test_offload_decision_and_remarks_must_agree():
    world = at_lachin()
    everything = {"as_declared": "*"}
    assert "Tick the lines to offload" in refused(world, form(**everything, decision="cleared_with_offload")).message
    assert "cleared with offload" in refused(world, form(**everything, decision="cleared", offload="kits")).message
    assert "why the decision is “held”" in refused(world, form(**everything, decision="held")).message
    assert inspection_payload(form(**everything, decision="held", text="Papers missing"), world.plan())


def test_counts_are_numbers_and_a_decimal_may_be_found_of_a_line_declared_whole():
    error = refused(at_lachin(), form(found_flour="9.5.1", found_kits="lots", decision="cleared"))
    assert [p["field"] for p in error.details] == ["found-flour", "found-kits"]
    assert "Wheat flour: give the quantity found as a number (e.g. 400 or 2.5)" in error.message
    payload = inspection_payload(form(found_flour="999,5", found_kits="50", decision="cleared"), at_lachin().plan())
    assert [finding["found"] for finding in payload["findings"]] == ["999.5", 50]


def test_more_found_than_carried_asks_for_the_excess_code_before_anything_is_signed():
    world = at_lachin()
    carried = world.plan().legs["leg-a"].carried["flour"]
    error = refused(world, form(found_flour=str(carried + 1), found_kits="50", decision="cleared"))
    assert [p["field"] for p in error.details] == ["found-flour"]
    assert f"more found ({carried + 1}) than the leg carries ({carried}): tick “excess”" in error.message
    marked = form(found_flour=str(carried + 1), codes_flour="excess", found_kits="50", decision="cleared")
    assert inspection_payload(marked, world.plan())["findings"][0]["codes"] == ["excess"]


def test_a_seal_not_checked_is_left_out_and_unshown_seals_are_not_asked():
    data = form(as_declared="*", decision="cleared", seal="S-1")
    data.setlist("seal-S-1", ["unchecked"])
    assert inspection_payload(data, at_lachin().plan())["seals"] == []
    assert inspection_payload(form(as_declared="*", decision="cleared"), at_lachin().plan())["seals"] == []


def test_seals_applied_per_vehicle_and_undeclared_goods():
    data = form(as_declared="*", decision="cleared", applied="L-1", **{"applied-v1": "C-7, C-8 C-7"})
    data.update({"undeclared-item-1": "Cigarettes", "undeclared-quantity-1": "12", "undeclared-unit-1": "carton"})
    world = at_lachin()
    payload = inspection_payload(data, world.plan())
    assert payload["applied"] == [{"seal": "L-1"}, {"seal": "C-7", "vehicle": "v1"}, {"seal": "C-8", "vehicle": "v1"}]
    assert payload["undeclared"] == [{"item": "Cigarettes", "quantity": 12, "unit": "carton"}]
    world.do("customs", "leg.inspect", **payload)
    data.update({"undeclared-item-2": "Fuel"})
    assert refused(at_lachin(), data).details[-1]["field"] == "undeclared-item-2"


def test_lines_are_grouped_by_the_vehicle_that_carries_them():
    lines = [{"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 1000, "unit": "kg",
              "weight_kg": 1000, "vehicle": "t2"},
             {"id": "kits", "item": "Hygiene kits", "category": "wash", "quantity": 50, "unit": "kit",
              "weight_kg": 300},
             {"id": "rice", "item": "Rice", "category": "food", "quantity": 20, "unit": "bag", "weight_kg": 500,
              "vehicle": "t1"}]
    world = at_lachin(lines=lines, vehicles=TRUCKS)
    plan = world.plan()
    groups = vehicle_groups(plan.content.legs[0], plan.legs["leg-a"])
    assert [(g.key, [r.line.id for r in g.lines]) for g in groups] == [("t1", ["rice"]), ("t2", ["flour"]),
                                                                        ("-", ["kits"])]
    payload = inspection_payload(form(as_declared="t2", found_kits="50", found_rice="19", decision="cleared"), plan)
    assert [f["found"] for f in payload["findings"]] == [1000, 50, 19]
    assert "Rice" in refused(world, form(as_declared="t2", found_kits="50", decision="cleared")).message


def test_a_leg_of_one_vehicle_carries_every_line_and_offloaded_lines_are_not_asked_again():
    world = at_lachin()
    plan = world.plan()
    assert [(g.key, len(g.lines)) for g in vehicle_groups(plan.content.legs[0], plan.legs["leg-a"])] == [("v1", 2)]
    offloaded = form(found_flour="900", found_kits="50", offload="kits", decision="cleared_with_offload",
                     codes_flour="missing")
    world.do("customs", "leg.inspect", **inspection_payload(offloaded, plan))
    world.now += 3600
    world.do("org-a", "plan.go").do("org-a", "leg.depart", leg="leg-a")
    world.do("recv", "leg.arrive", leg="leg-a", checkpoint="post")
    plan = world.plan()
    [group] = vehicle_groups(plan.content.legs[0], plan.legs["leg-a"])
    assert [(r.line.id, r.carried, r.changed) for r in group.lines] == [("flour", 900, True)]
    assert [line.id for line in gone_lines(plan.content.legs[0], plan.legs["leg-a"])] == ["kits"]
    payload = inspection_payload(form(checkpoint="post", as_declared="v1", decision="cleared"), plan)
    assert payload["findings"] == [{"line": "flour", "found": 900, "codes": []}]


def test_all_as_declared_without_javascript_fills_only_what_is_empty():
    world = at_lachin()
    values = fill_as_declared(form(found_kits="48", decision="held"), world.plan(), "v1")
    assert values["found-flour"] == ["1000"] and values["found-kits"] == ["48"] and values["decision"] == ["held"]
    assert "found-flour" not in fill_as_declared(form(), world.plan(), "t9")


def test_what_is_left_to_count_is_named_by_vehicle_not_as_a_list_of_repeated_items():
    lines = [{"id": f"{item}-{truck}", "item": item.title(), "category": "food", "quantity": 10, "unit": "kg",
              "weight_kg": 10, "vehicle": truck} for truck in ("t1", "t2") for item in ("flour", "kits")]
    lines.append({"id": "loose", "item": "Tarpaulins", "category": "shelter", "quantity": 5, "unit": "piece",
                  "weight_kg": 50})
    error = refused(at_lachin(lines=lines, vehicles=TRUCKS), form(decision="cleared", seal_S_1="intact"))
    assert ("Count what was found for Vehicle 1: Flour, Kits; Vehicle 2: Flour, Kits; goods no vehicle is named "
            "for: Tarpaulins, or press") in error.message


def test_the_decisions_are_named_with_the_words_of_the_decision_tiles_in_every_language():
    from django.utils import translation

    from corridor.service.web.labels import label

    world = at_lachin()
    for language in ("en", "ru", "fr", "ar"):
        with translation.override(language):
            words = [label(code, "decision") for code in ("cleared", "cleared_with_offload", "held", "turned_back")]
            choose = refused(world, form(as_declared="*", seal_S_1="intact")).message
            offload = refused(world, form(as_declared="*", seal_S_1="intact", decision="cleared", offload="kits"))
            held = refused(world, form(as_declared="*", seal_S_1="intact", decision="held")).message
        assert all(f"“{word}”" in choose for word in words), (language, choose)
        assert words[1] in offload.message and words[2] in held, (language, offload.message, held)


def test_in_arabic_latin_fragments_in_the_problems_are_isolated():
    """Seals and items keep their order inside an Arabic sentence ("S-1", not "1-S")."""
    from django.utils import translation

    with translation.override("ar"):
        message = refused(at_lachin(), form(found_flour="lots", seal="S-1", decision="cleared")).message
    assert "\u2068S-1\u2069" in message and "\u2068Wheat flour\u2069" in message
    with translation.override("en"):  # left to right, nothing to reorder: no invisible marks
        assert "\u2068" not in refused(at_lachin(), form(found_flour="lots", decision="cleared")).message
