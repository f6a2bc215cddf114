"""Accessibility, checked by axe-core (the checker browsers' own tools use) in chromium: labels on every
field, names on every control, readable contrast, a language on every page, no duplicate ids — on each main
page, signed in and not, left to right and right to left. Serious and critical findings fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.service import clock
from corridor.service.parties.operations import do_create_user

from ..api_driver import drive
from ..conftest import SCENARIO
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AFTER = 1695081600


def violations(page) -> list[str]:
    # evaluated through the devtools protocol: a <script> tag of its own would be an inline script, which the
    # pages' Content-Security-Policy refuses
    page.page.evaluate(f"() => {{ {AXE.read_text()}\n }}")
    result = page.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_main_pages_pass_axe(parties, browser_page, tiles):  # noqa: F811
    from corridor.service.ledger.integrator import integrate_now

    drive(SCENARIO, parties)
    integrate_now()
    do_create_user("border-officer", "border", "officer", password="a-long-test-password")
    do_create_user("org-officer", "org-a", "officer", password="a-long-test-password")
    page, found = browser_page, {}
    with clock.frozen_at(AFTER):
        for path in ("/", "/transparency/log?index=3", "/incidents", "/plans/two-roads", "/plans/two-roads/go",
                     "/accounts/login/"):
            page.open(path)
            found[path] = violations(page)
        page.sign_in("org-officer", "a-long-test-password")
        for path in ("/home", "/plans/new", "/incidents"):
            page.open(path)
            found["signed in " + path] = violations(page)
        page.sign_in("border-officer", "a-long-test-password")
        for path in ("/checkpoints/lachin-checkpoint", "/plans/two-roads"):
            page.open(path)
            found["border " + path] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}
