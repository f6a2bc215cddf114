"""Every page in every language, as each role: nothing shown is a raw code (`awaiting_consent`,
`plan.submit`, `border_control`), and no English sentence of the catalogue is left on a Russian, French or
Arabic page. The pages are walked after the two-roads example has run to its end and with one plan still
waiting on its parties, so statuses, stances, statement types and waits are all on them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from corridor.engine.errors import CODES
from corridor.engine.statements import KEY_PAYLOADS, PAYLOADS
from corridor.service import clock
from corridor.service.parties.operations import do_create_user
from corridor.service.web.labels import VOCABULARIES
from corridor.service.web.refusals import MESSAGES

from ..api_driver import drive
from ..conftest import SCENARIO
from .stages import REQUIRED, post, submitted, version
from .test_translations import catalogue

LANGUAGES = ("en", "ru", "fr", "ar")
AFTER = 1695081600  # 2023-09-19T00:00:00Z, after the example's last statement
PUBLIC = ("/", "/transparency/log", "/transparency/log?index=3", "/incidents", "/briefings/", "/accounts/login/",
          "/plans/two-roads", "/plans/two-roads/go", "/plans/p-wait", "/plans")
ROLES = {  # user -> (party, role, pages)
    "org-officer": ("org-a", "officer", ("/home", "/account", "/incidents", "/plans/p-wait", "/plans/two-roads",
                                         "/plans/two-roads/go", "/plans/new")),
    "org-admin": ("org-a", "admin", ("/home", "/parties/org-a/members", "/parties/org-a/signatures")),
    "border-officer": ("border", "officer", ("/home", "/account", "/plans/p-wait", "/plans/two-roads",
                                             "/checkpoints/lachin-checkpoint", "/checkpoints", "/checkpoint-app/")),
    "mediator-viewer": ("mediator", "viewer", ("/home", "/plans/p-wait", "/checkpoints/lachin-checkpoint",
                                               "/checkpoints")),
}
CODES_SHOWN_RAW = ({code for vocabulary in VOCABULARIES.values() for code in vocabulary if re.search(r"[._]", code)}
                   | set(CODES) | set(MESSAGES) | set(PAYLOADS) | set(KEY_PAYLOADS))
CODE_LIKE = re.compile(r"[a-z][a-z0-9]*(?:[._][a-z0-9]+)+")
UTC_STAMP = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?Z\b")  # a time as the log writes it, not local
FRAGMENT_SPLIT = re.compile(r"\s*[·|;:,()—\n]\s*")
SKIPPED = {"script", "style", "pre", "code", "kbd", "samp"}  # machine text: commands, hashes, the checkpoint


class Visible(HTMLParser):
    """The text a reader sees or hears: text nodes outside code blocks, and titles, labels and placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skipping += 1
        named = dict(attrs)
        self.texts += [named[a] for a in ("title", "aria-label", "placeholder", "alt") if named.get(a)]
        if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
            self.texts.append(named["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    parser = Visible()
    parser.feed(html)
    return parser.texts


def english_left(texts: list[str], language: str) -> list[str]:
    """Fragments of the page that are English sentences of the catalogue, on a page in another language."""
    translated = {msgid for (_, msgid), msgstr in catalogue(language).items() if msgstr != msgid
                  and "%" not in msgid and "{" not in msgid and len(msgid) > 2}
    fragments = {text for text in texts} | {part for text in texts for part in FRAGMENT_SPLIT.split(text)}
    return sorted(fragment for fragment in fragments if fragment in translated)


def utc_stamps(texts: list[str]) -> list[str]:
    """Times left as the log writes them (2023-09-18T07:02:00Z) where the reader expects the crossing's clock;
    the UTC time stays in each <time>'s title, which reads "2023-09-18 07:02 UTC"."""
    return sorted({stamp for text in texts for stamp in UTC_STAMP.findall(text)})


def raw_codes(texts: list[str]) -> list[str]:
    return sorted({word for text in texts for word in CODE_LIKE.findall(text) if word in CODES_SHOWN_RAW})


@pytest.fixture
def walked(parties, tiles) -> dict[tuple[str, str, str], list[str]]:
    """(who, page, language) -> what is wrong on it."""
    from corridor.service.ledger.integrator import integrate_now

    drive(SCENARIO, parties)
    submitted(parties, "p-wait", at=AFTER)
    post(parties, REQUIRED[-1], "/plans/p-wait/consent", {"version": version(parties, "p-wait")}, AFTER + 600)
    integrate_now()
    clients = {"public": (Client(), PUBLIC)}
    for username, (party, role, pages) in ROLES.items():
        client = Client()
        client.force_login(do_create_user(username, party, role, password="a-long-test-password")[0])
        clients[username] = (client, pages)
    found = {}
    with clock.frozen_at(AFTER + 3 * 86400):
        for who, (client, pages) in clients.items():
            for language in LANGUAGES:
                client.cookies["django_language"] = language
                for page in pages:
                    response = client.get(page)
                    assert response.status_code == 200, (who, page, language, response.status_code)
                    texts = visible_texts(response.content.decode())
                    wrong = [f"code {code}" for code in raw_codes(texts)] + [f"UTC time {t}" for t in utc_stamps(texts)]
                    if language != "en":
                        wrong += [f"English {text!r}" for text in english_left(texts, language)]
                    found[(who, page, language)] = wrong
    return found


def test_no_page_shows_a_raw_code_or_english_on_a_page_in_another_language(walked):
    assert {key: wrong for key, wrong in walked.items() if wrong} == {}
    assert len(walked) > 80 and ("public", "/briefings/", "ar") in walked  # the walk went everywhere


def test_a_border_officers_home_in_russian_says_what_waits_on_it_in_words_and_local_time(walked):
    client = Client()
    client.force_login(do_create_user("border-officer", "border", "officer")[0])
    client.cookies["django_language"] = "ru"
    with clock.frozen_at(AFTER + 3 * 86400):
        page = client.get("/home").content.decode()
    assert "Host state border service" in page and "ожидает согласия" in page  # name and status, not codes
    assert '<time datetime="2023-09-19T00:00:00Z" title="2023-09-19 00:00 UTC">' in page  # submitted at AFTER
    assert "04:00 UTC+4" in page and "ожидает уже \u20683\xa0дня" in page
