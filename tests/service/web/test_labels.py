"""Every code the engine can put on a page has words in web/labels.py (and so in every language, through the
translations test): a new status, reason or statement type without them fails here."""

from __future__ import annotations

from typing import get_args

import pytest
from django.utils import translation

from corridor.engine import model, state, statements
from corridor.service.web.labels import VOCABULARIES, label

ENGINE_VOCABULARIES = {
    "status": get_args(state.PlanStatus), "phase": get_args(state.LegPhase), "stance": get_args(state.Stance),
    "capacity": get_args(model.Capacity), "reason": get_args(statements.RefusalReason),
    "decision": get_args(statements.Decision), "discrepancy": get_args(statements.Discrepancy),
    "incident": get_args(statements.AccessCategory), "party_kind": get_args(model.PartyKind),
    "linkage": get_args(model.Linkage), "direction": get_args(model.Direction),
    "statement": (*statements.PAYLOADS, *statements.KEY_PAYLOADS),
}


@pytest.mark.parametrize("vocabulary", sorted(ENGINE_VOCABULARIES))
def test_every_engine_code_has_words(vocabulary):
    assert sorted(set(ENGINE_VOCABULARIES[vocabulary]) - set(VOCABULARIES[vocabulary])) == []


def test_a_code_reads_in_the_readers_language_and_an_unknown_one_as_itself():
    with translation.override("fr"):
        assert label("awaiting_consent", "status") == "en attente de consentement"
        assert label("key.bind", "statement") == "clé d’accès liée"
        assert label("newer_code", "status") == "newer_code" and label(None, "status") == ""


def test_a_plans_cleared_and_a_legs_cleared_are_different_words_where_the_language_has_them():
    """A plan is "autorisé" (every party consented); a leg let through at a checkpoint is "dédouané"."""
    for language in ("fr", "ru"):
        with translation.override(language):
            plan, leg, decision = label("cleared", "status"), label("cleared", "phase"), label("cleared", "decision")
        assert plan != leg and leg == decision, (language, plan, leg)


def test_arabic_names_a_leg_with_one_word():
    """"مرحلة" everywhere a leg is meant; "مقطع" (a segment) nowhere, so a reader never wonders if it is another
    thing."""
    from pathlib import Path

    import polib

    import corridor.service.web as web

    catalogue = polib.pofile(str(Path(web.__file__).parent / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    legs = [entry for entry in catalogue if not entry.obsolete and "leg" in entry.msgid.lower().split()]
    assert legs and not [entry.msgid for entry in catalogue if not entry.obsolete and "مقطع" in entry.msgstr]


def test_goods_categories_and_the_default_vehicle_type_have_words():
    with translation.override("ar"):
        assert label("wash", "category") == "المياه والصرف الصحي والنظافة" and label("truck", "vehicle") == "شاحنة"
        assert label("Blankets and mats", "category") == "Blankets and mats"  # a requester's own category stays theirs
