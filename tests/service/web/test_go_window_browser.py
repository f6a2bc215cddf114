"""Go in chromium as the agreed window allows it (web/actions.py `go_action`): before the window opens the go
board and the plan page say when, with no button; once it opens, the plan page's go form, submitted as it
comes, releases the leg."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from .browser import browser_page  # noqa: F401 -- the fixture
from .test_go_window import EARLY, cleared_early

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def test_go_waits_in_words_then_the_plan_pages_form_releases_the_leg(parties, browser_page):  # noqa: F811
    cleared_early(parties)
    do_create_user("org-officer", "org-a", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(EARLY + 120):
        page.sign_in("org-officer", PASSWORD)
        page.open("/plans/p1/go")
        waiting = page.page.locator(".go-waiting").inner_text()
        assert "Go opens at" in waiting and "15:45 UTC+4" in waiting
        assert page.page.get_by_role("button", name="Go (Humanitarian organisation A (carrier))").count() == 0
    with clock.frozen_at(EARLY + 2 * 3600 - 10 * 60):  # 11:50 UTC: within the tolerance before the window
        page.open("/plans/p1")
        form = page.page.locator('form[action$="/act/plan.go"]')
        assert "Agreed window: from" in form.inner_text()
        form.locator("button[type=submit]").click()
        page.page.wait_for_load_state("networkidle")
    assert StatementIndex.objects.filter(type="plan.go").count() == 1
    assert "Go — Humanitarian organisation A (carrier)" in page.page.locator(".messages").inner_text()
    assert page.errors == []
