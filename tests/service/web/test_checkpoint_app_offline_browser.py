"""The checkpoint app's recording side in chromium (static/checkpoint-app/queue.js, record.js): the statement the
device builds and signs offline is byte for byte the one the log checks (RFC 8785 canonical JSON, the digest
the passkey signs); the recording form refuses clearly in its default state."""

from __future__ import annotations

import json

import pytest

from corridor.ledger.envelope import canonical_json, statement_digest
from corridor.service.web.signing import b64url

from .browser import (
    BrowserPage,
    browser_page,  # noqa: F401 -- the fixture
)

pytestmark = pytest.mark.django_db(transaction=True)

# what an officer may type (Cyrillic, Arabic, an emoji, a line separator, quotes and a backslash, control
# characters), a decimal quantity as the log writes it, keys whose order differs by case
TRICKY = {
    "leg": "leg-a", "checkpoint": "lachin-checkpoint",
    "findings": [{"line": "flour", "found": 18000, "codes": []},
                 {"line": "fuel", "found": "2.5", "codes": ["missing"]}],
    "seals": [{"seal": "S-40211", "intact": True}, {"seal": "S-40212", "intact": False}],
    "decision": "held", "offload": [],
    "text": "Мука влажная; الطحين رطب 🚚 \u2028 \"quoted\" \\ back\tslash\u0001 </script> é",
    "applied": [{"seal": "Z-1"}, {"seal": "a-1"}],
}


def build_in_browser(page: BrowserPage, payload: dict) -> dict:
    return page.page.evaluate("""async payload => {
      const q = await import("/static/checkpoint-app/queue.js");
      const statement = q.buildStatement({kind: "leg.inspect", party: "border", plan: "two-roads", payload,
        key: "passkey:" + "ab".repeat(16), time: "2023-09-18T06:50:00Z", id: q.offlineId()});
      return {statement, canonical: q.canonical(statement), challenge: q.toB64url(await q.challenge(statement)),
              now: q.deviceTime(new Date(Date.UTC(2023, 8, 18, 6, 50, 7, 900)))};
    }""", payload)


def test_the_device_builds_the_statement_and_digest_the_log_checks(browser_page):  # noqa: F811
    browser_page.open("/accounts/login/")
    built = build_in_browser(browser_page, TRICKY)
    statement = built["statement"]
    assert set(statement) == {"type", "party", "plan", "time", "payload", "offline", "key"}  # no seq
    assert statement["payload"] == TRICKY and len(statement["offline"]["id"]) == 32
    assert int(statement["offline"]["id"], 16) >= 0 and statement["offline"]["id"] == statement["offline"]["id"].lower()
    assert built["canonical"] == canonical_json(statement).decode()
    assert built["challenge"] == b64url(statement_digest(statement))
    assert built["now"] == "2023-09-18T06:50:07Z"
    assert json.loads(built["canonical"]) == statement
    assert browser_page.errors == []
