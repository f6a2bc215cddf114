"""Refusals as people read them: a sentence in their language for every code the engine and the service
answer, never "[code] message"."""

from __future__ import annotations

import pytest
from django.utils import translation

from corridor.engine.errors import CODES
from corridor.service.ledger.record import Refused
from corridor.service.web.refusals import MESSAGES, explain

from ..test_error_codes_documented import raised_codes


def test_every_code_the_engine_and_the_service_answer_has_a_sentence():
    assert sorted(set(CODES) - set(MESSAGES)) == []
    assert sorted(raised_codes() - set(MESSAGES)) == []  # a new code needs its sentence (and its translations)


@pytest.mark.parametrize(("language", "sentence"), [
    ("ru", "План изменён после того, как вы открыли страницу"),
    ("fr", "Le plan a été modifié depuis l’ouverture de cette page"),
    ("ar", "عُدّلت الخطة منذ فتحت هذه الصفحة"),
])
def test_a_refusal_reads_in_the_readers_language_without_the_code_or_the_english_detail(language, sentence):
    with translation.override(language):
        shown = explain(Refused("version.stale", "plan p1 is now at version 3f2a…, not 8be1…", 409))
    assert shown.startswith(sentence) and "version.stale" not in shown and "now at version" not in shown


def test_in_english_the_refusals_own_message_follows_the_sentence():
    with translation.override("en"):
        shown = explain(Refused("quantity.invalid", "flour found: give a whole number"))
    assert shown == ("Give quantities and weights as numbers of at least zero, in the unit stated. "
                     "(flour found: give a whole number)")


def test_a_code_not_known_yet_reads_as_a_general_refusal():
    with translation.override("fr"):
        assert explain(Refused("example.not_a_code", "over 20 MB")) == "Ceci a été refusé et rien n’a été enregistré."
