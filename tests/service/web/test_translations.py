"""Every string of the pages is translated into Russian, French and Arabic, and the compiled catalogues
match the sources."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

WEB = Path(__file__).parents[3] / "src" / "corridor" / "service" / "web"
LANGUAGES = ("ru", "fr", "ar")
# {% translate "Checkpoints" %} and {% translate "Checkpoints" context "checkpoint screen" %}: two entries
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.+?)(?P=q)"""
                           r"""(?:\s+context\s+(?P<cq>["'])(?P<msgctxt>.+?)(?P=cq))?""")
PY_STRING = re.compile(r'_\("([^"]+)"\)')
PY_CONTEXT_STRING = re.compile(r'pgettext(?:_lazy)?\(\s*"([^"]+)",\s*"([^"]+)"\s*\)')

Key = tuple[str | None, str]  # (msgctxt, msgid): the same words in another context are another entry


def catalogue(language: str) -> dict[Key, str]:
    """(msgctxt, msgid) -> translation of each entry in use (obsolete ones left out; a plural entry by its
    singular). Keyed by context too, so an entry with a context neither hides nor stands in for the same
    words without one."""
    return read_catalogue(WEB / "locale" / language / "LC_MESSAGES" / "django.po")


def read_catalogue(path: Path) -> dict[Key, str]:
    entries = {}
    for entry in polib.pofile(str(path)):
        if entry.msgid and not entry.obsolete:
            entries[entry.msgctxt, entry.msgid] = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
    return entries


def source_strings() -> set[Key]:
    found: set[Key] = set()
    for path in (WEB / "templates").rglob("*.html"):
        found |= {(match["msgctxt"], match["msgid"]) for match in TRANSLATE_TAG.finditer(path.read_text())}
    for path in WEB.glob("*.py"):
        text = path.read_text()
        found |= {(None, msgid) for msgid in PY_STRING.findall(text)}
        found |= {(msgctxt, msgid) for msgctxt, msgid in PY_CONTEXT_STRING.findall(text)}
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    entries = catalogue(language)
    assert sorted(source_strings() - set(entries)) == []  # run `makemessages` after adding strings
    assert sorted(key for key, value in entries.items() if not value) == []
    assert "#, fuzzy" not in (WEB / "locale" / language / "LC_MESSAGES" / "django.po").read_text()[200:]


@pytest.mark.parametrize(("language", "expected"), [("ru", "Кто задерживает помощь?"),
                                                    ("fr", "Qui retarde l’aide ?"), ("ar", "من يؤخر المساعدات؟")])
def test_the_compiled_catalogues_are_used(language, expected):
    with translation.override(language):
        assert translation.gettext("Who is holding up aid?") == expected


def test_an_entry_with_a_context_is_another_entry(tmp_path):
    """`{% translate "Vehicle" context "permit" %}` needs an entry of its own: the same words without a
    context do not stand in for it, nor hide it."""
    assert {("permit", "Vehicle"), ("checkpoint screen", "Checkpoints"), (None, "Vehicle")} <= source_strings()
    assert {(None, "Vehicle"), ("permit", "Vehicle"), ("checkpoint screen", "Vehicle")} <= catalogue("fr").keys()
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Vehicle"\nmsgstr "Véhicule"\n\nmsgctxt "permit"\nmsgid "Permit"\nmsgstr "Laissez-passer"\n')
    assert read_catalogue(po) == {(None, "Vehicle"): "Véhicule", ("permit", "Permit"): "Laissez-passer"}
