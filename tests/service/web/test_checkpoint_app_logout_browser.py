"""Hostile: a shared tablet. The officer signs out; whoever picks the device up next, offline, must not see the
plates, goods and passkeys the service worker kept for them (data.json and the page signed in as them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from corridor.service import clock
from corridor.service.parties.operations import do_create_user

from .browser import browser_page  # noqa: F401 -- the fixture
from .test_checkpoint_app_browser import PASSWORD, SERVER_TIME, offline_app, permits

pytestmark = pytest.mark.django_db(transaction=True)


def kept(page) -> dict:
    """What the service worker's caches hold for the app's data and page (URL paths, by cache)."""
    return page.page.evaluate("""async () => {
      const out = {};
      for (const name of await caches.keys()) {
        out[name] = (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname)
          .filter(p => p.endsWith("/checkpoint-app/") || p.endsWith("data.json"));
      }
      return out;
    }""")


def sign_out(page) -> None:
    with page.page.expect_navigation():  # the form is submitted once the app's copies are forgotten
        page.page.get_by_role("button", name="Sign out (border-tablet)").click()
    page.page.wait_for_load_state("networkidle")
    assert "Sign out (border-tablet)" not in page.page.content()


def test_signing_out_forgets_the_officers_data_on_the_device(parties, tiles, browser_page):  # noqa: F811
    with clock.frozen_at(SERVER_TIME):
        permits(parties)
        page = offline_app(parties, browser_page)
        assert "AB 123" in page.page.locator("#cp-legs").inner_text()
        page.page.context.set_offline(False)
        page.open("/checkpoints")
        sign_out(page)
        assert all(paths == [] for paths in kept(page).values()), kept(page)
        # the next person, offline: the kept page and data are gone, nothing of the officer's is shown
        page.page.context.set_offline(True)
        with pytest.raises(PlaywrightError, match="net::ERR_"):  # before: their page and data
            page.page.goto(page.origin + "/checkpoint-app/")


def test_another_officer_signing_in_on_the_device_gets_their_own_data(parties, tiles, browser_page):  # noqa: F811
    with clock.frozen_at(SERVER_TIME):
        permits(parties)
        page = offline_app(parties, browser_page)
        page.page.context.set_offline(False)
        page.open("/checkpoints")
        sign_out(page)
        do_create_user("recv-tablet", "recv", "officer", password=PASSWORD)  # inspects nowhere: no app
        page.sign_in("recv-tablet", PASSWORD)
        page.page.goto(page.origin + "/checkpoint-app/")
        assert "AB 123" not in page.page.content()
        answer = page.page.evaluate("""async () => {
          const r = await fetch("/checkpoint-app/data.json", {credentials: "same-origin"});
          return {status: r.status, cached: r.headers.get("X-Corridor-Cached"), text: await r.text()};
        }""")
        assert answer["status"] == 403 and "AB 123" not in answer["text"], answer
