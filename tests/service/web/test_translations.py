"""Every string of the pages is translated into Russian, French and Arabic, and the compiled catalogues
match the sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

WEB = Path(__file__).parents[3] / "src" / "corridor" / "service" / "web"
LANGUAGES = ("ru", "fr", "ar")
TRANSLATE_TAG = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]+)"|{%\s*(?:translate|trans)\s+\'([^\']+)\'')
PY_STRING = re.compile(r'_\("([^"]+)"\)')


def catalogue(language: str) -> dict[str, str]:
    text = (WEB / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
    entries = {}
    for raw_id, raw_str in re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text):
        key = "".join(re.findall(r'"(.*)"', raw_id)).replace('\\"', '"')
        if key:
            entries[key] = "".join(re.findall(r'"(.*)"', raw_str))
    return entries


def source_strings() -> set[str]:
    found = set()
    for path in (WEB / "templates").rglob("*.html"):
        found |= {a or b for a, b in TRANSLATE_TAG.findall(path.read_text())}
    for path in WEB.glob("*.py"):
        found |= set(PY_STRING.findall(path.read_text()))
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
