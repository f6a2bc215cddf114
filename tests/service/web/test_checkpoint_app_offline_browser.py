"""The checkpoint app's recording side in chromium (static/checkpoint-app/queue.js, record.js): the statement the
device builds and signs offline is byte for byte the one the log checks (RFC 8785 canonical JSON, the digest
the passkey signs); road A's vehicle passes Lachin with the tablet offline (Playwright's offline mode) from its
arrival until its release, signed by the officer's passkey (Chromium's virtual authenticator), queued, sent
when the network returns and on the log with when it was signed and when it arrived; a statement made late
(the plan cancelled meanwhile) is kept with the reason in words; the form refuses clearly in its default state."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from corridor.ledger.envelope import canonical_json, statement_digest
from corridor.permits import qr
from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.record import current_fold
from corridor.service.parties.operations import do_create_user
from corridor.service.permits.models import IssuedPermit
from corridor.service.web.signing import b64url

from . import stages
from .browser import (
    BrowserPage,
    browser_page,  # noqa: F401 -- the fixture
)
from .passkey_driver import enrol, passkey_origin, virtual_authenticator
from .test_accessibility import violations
from .test_checkpoint_app_browser import CONTROLLED

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"
TABLET = {"width": 800, "height": 1280}  # a 10-inch tablet held in portrait

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


# ---- the app, end to end: road A's vehicle passes Lachin with the tablet offline from arrival to release ----

APP = "/checkpoint-app/"
ENROLMENT = stages.T + 3000  # after the plan was scheduled (T + 2400)
ONLINE = 1694433600  # 11 Sep 2023 12:00: the officer opens the app while the network is up
SIGNED = 1694433900  # 12:05 on the tablet's clock: the truck arrives, the network is down
RECEIVED = 1694435400  # 12:30: the network is back


# waits written as promises: a string predicate polled by wait_for_function is an eval, which the CSP forbids
OFFLINE = """() => !navigator.onLine ? true : new Promise(resolve =>
  window.addEventListener("offline", () => resolve(true)))"""


# the two-roads example's road-A leg (scenarios/two-roads.yaml): one truck, three lines, two seals
ROAD_A = {
    "id": "leg-a", "route": "road-a",
    "lines": [{"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 18000, "unit": "kg",
               "weight_kg": 18000},
              {"id": "hygiene", "item": "Family hygiene kits", "category": "wash", "quantity": 400, "unit": "kit",
               "weight_kg": 2400},
              {"id": "medical", "item": "Surgical supplies", "category": "health", "quantity": 60, "unit": "carton",
               "weight_kg": 900}],
    "vehicles": [{"id": "truck-a1", "plate": "HA-101", "type": "20 t truck"}],
    "seals": ["S-40211", "S-40212"],
}


def moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def officer(parties, page: BrowserPage, origin: str) -> BrowserPage:
    """Road A's plan scheduled with its permit issued; a border officer with a passkey bound (the virtual
    authenticator) opens the app while online, so the device keeps the data and the shell."""
    from corridor.service.ledger.integrator import integrate_now

    stages.submitted(parties, legs=[ROAD_A])
    stages.consented(parties)
    integrate_now()  # a signed checkpoint for the permit to name
    stages.scheduled(parties)
    do_create_user("border-officer", "border", "admin", password=PASSWORD)
    page.page.set_viewport_size(TABLET)
    virtual_authenticator(page)
    with clock.frozen_at(ENROLMENT):
        page.sign_in("border-officer", PASSWORD)
        enrol(page, "border", end_custody=False)
    page.page.clock.install(time=moment(ONLINE))
    with clock.frozen_at(ONLINE):
        page.open(APP)
        page.page.evaluate(CONTROLLED)
        page.page.locator("#rec-leg option[value]:not([value=''])").first.wait_for(state="attached")
    return page


def tablet_clock_stopped_at(page: BrowserPage, seconds: int) -> None:
    """The tablet's clock moved on to `seconds` and stopped there until `resume_clock`, so the statement signed
    next is dated to that second however long the steps before it take on a busy machine (a running clock had
    the arrival signed at 12:05:01 under load). The app's one timer, its retry, is run by `clock.run_for`."""
    page.page.clock.pause_at(moment(seconds))


def resume_clock(page: BrowserPage) -> None:
    """The tablet's clock runs on again: what is signed next is kept after what was (the queue keeps that
    order; two statements kept in the same stopped millisecond could be sent either way round)."""
    page.page.clock.resume()


def permit_text() -> str:
    return qr.to_text(bytes(IssuedPermit.objects.get().signed))


def record(page: BrowserPage, action: str, sign: bool = True, more=None) -> tuple[str, dict]:
    """Record the arrival or the inspection in the app's form and sign it; the words shown before signing.
    `more(form)` fills in what else the inspection found."""
    form = page.page.locator("#rec-form")
    form.get_by_label(action, exact=True).check()
    if action == "Inspection":
        form.get_by_role("button", name="All as declared").click()
        form.locator(".line[data-line=flour]").get_by_label("damaged").check()  # some sacks torn, all there
        for seal in ROAD_A["seals"]:
            form.locator(f"fieldset.seal[data-seal='{seal}']").get_by_label("intact").check()
        form.get_by_label("cleared", exact=True).check()
        if more:
            more(form)
    form.get_by_role("button", name="Review and sign").click()
    dialog = page.page.locator("#rec-confirm")
    summary = dialog.locator("#rec-summary").inner_text()
    shown = dialog.locator("#rec-statement").text_content()
    if sign:
        dialog.get_by_role("button", name="Sign with my passkey").click()
        dialog.wait_for(state="hidden")
    return summary, json.loads(shown)


def relayed() -> list[dict]:
    """The statements signed offline, as the operator's relays on the log hold them."""
    from corridor.ledger.envelope import unseal
    from corridor.service.ledger.models import LogEntry

    statements = [unseal(bytes(data)).statement for data in LogEntry.objects.order_by("idx").values_list("data",
                                                                                                         flat=True)]
    return [s["payload"]["statement"] for s in statements if s["type"] == "offline.relay"]


def wait_for_count(page: BrowserPage, selector: str, count: int) -> None:
    from playwright.sync_api import expect

    try:
        expect(page.page.locator(selector)).to_have_count(count, timeout=45000)  # two cores, shared
    except AssertionError:
        raise AssertionError(f"{selector} × {count}: {page.page.locator('#rec-queue').inner_text()}") from None


def states(page: BrowserPage) -> list[str]:
    return page.page.locator("#rec-queue li").evaluate_all("items => items.map(item => item.dataset.state)")


def test_road_a_vehicle_passes_lachin_with_the_tablet_offline_from_arrival_to_release(parties, live_server,
                                                                                     browser_page):  # noqa: F811
    with passkey_origin(live_server.url):
        page = officer(parties, browser_page, live_server.url)
        tablet_clock_stopped_at(page, SIGNED)
        page.page.context.set_offline(True)
        page.page.evaluate(OFFLINE)
        page.page.fill("#cp-text", permit_text())
        page.page.get_by_role("button", name="Verify", exact=True).click()
        assert "VALID" in page.page.locator("#cp-verdict").inner_text()
        assert page.page.locator("#rec-leg").input_value() == "p1\nleg-a"  # the permit's vehicle, to record
        arrival, arrived = record(page, "Arrived")
        resume_clock(page)
        assert "HA-101" in arrival and "Lachin" in arrival, arrival
        assert arrived["type"] == "leg.arrive" and arrived["time"] == "2023-09-11T12:05:00Z" and "seq" not in arrived
        inspection, inspected = record(page, "Inspection")
        assert "cleared; found Wheat flour 18000 kg (damaged), Family hygiene kits 400 kit, Surgical supplies 60 " \
               "carton" in inspection, inspection
        assert inspected["payload"] == {
            "leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
            "findings": [{"line": "flour", "found": 18000, "codes": ["damaged"]},
                         {"line": "hygiene", "found": 400, "codes": []}, {"line": "medical", "found": 60, "codes": []}],
            "seals": [{"seal": "S-40211", "intact": True}, {"seal": "S-40212", "intact": True}]}
        assert inspected["payload"]["decision"] == "cleared"
        assert states(page) == ["queued", "queued"]
        page.screenshot("checkpoint-app-queued", "#cp-record")  # the README's: signed offline, waiting
        assert "2 waiting to be sent" in page.page.locator("#rec-queue-status").inner_text()
        assert StatementIndex.objects.filter(plan="p1", type__in=["leg.arrive", "leg.inspect"]).count() == 0
        with clock.frozen_at(RECEIVED):
            page.page.route("**/checkpoint-app/submit", lambda route: route.fulfill(status=503, body="busy"))
            page.page.context.set_offline(False)  # the browser says "online": the queue is sent, the service fails
            wait_for_count(page, "#rec-queue li[data-state=queued]:has-text('it is tried again')", 2)
            page.page.unroute("**/checkpoint-app/submit")
            page.page.clock.run_for(31000)  # the app tries again by itself
            wait_for_count(page, "#rec-queue li[data-state=applied]", 2)
        texts = page.page.locator("#rec-queue li").all_inner_texts()
        received = page.page.locator("#rec-queue time.rec-received").evaluate_all("t => t.map(n => n.dateTime)")
        page.screenshot("checkpoint-app-sent", ".rec-queue")  # and once the network is back
        stages.post(parties, "escort", "/plans/p1/go", {}, RECEIVED + 60)  # the barrier opens: go
    assert received == ["2023-09-11T12:30:00Z"] * 2, received
    assert all("signed Sep 11, 2023, 4:05 PM (Asia/Baku) · received Sep 11, 2023, 4:30 PM (Asia/Baku)" in text
               for text in texts), texts  # in the checkpoint's time zone
    state = current_fold().state
    plan = state.plans["p1"]
    assert plan.legs["leg-a"].phase == "released"
    [(_, party, report)] = plan.legs["leg-a"].inspections
    assert party == "border" and report.decision == "cleared" and report.findings[0].codes == ("damaged",)
    assert plan.legs["leg-a"].arrivals == [(SIGNED, "lachin-checkpoint")]  # dated when signed, not received
    records = sorted(state.offline.values(), key=lambda r: r.relay)
    assert [(r.type, r.party, r.received, r.code) for r in records] == [
        ("leg.arrive", "border", RECEIVED, None), ("leg.inspect", "border", RECEIVED, None)]
    # the tablet's clock runs on from 12:05:00 after the arrival, so on a loaded machine the inspection may be
    # signed a second or two after it: dated when signed, never when received
    assert records[0].signed == SIGNED and SIGNED <= records[1].signed < SIGNED + 60
    assert {r["id"] for r in [arrived["offline"], inspected["offline"]]} == set(state.offline)
    assert relayed() == [arrived, inspected]  # on the log exactly as shown before the passkey signed
    assert [e for e in page.errors if "status of 503" not in e] == [] and page.foreign_requests() == []


def undeclared_and_sealed(form) -> None:
    """Two generators the manifest does not declare, and a new seal on the truck after the inspection."""
    form.get_by_text("Goods found that the manifest does not declare").click()
    form.locator("#rec-undeclared-item-1").fill("Генератор <b>5 kW</b>")
    form.locator("#rec-undeclared-quantity-1").fill("2")
    form.locator("#rec-undeclared-unit-1").fill("piece")
    form.get_by_label("Seals applied to this vehicle after inspection · truck-a1 · HA-101").fill("Z-77")


def test_an_inspection_offline_with_undeclared_goods_and_a_seal_applied_reaches_the_log(parties, live_server,
                                                                                       browser_page):  # noqa: F811
    """The two parts of an inspection beyond the manifest's lines: goods no line declares and the seals put on,
    per vehicle. Shown in the words signed, in the statement exactly as the engine reads it, and on the log."""
    with passkey_origin(live_server.url):
        page = officer(parties, browser_page, live_server.url)
        tablet_clock_stopped_at(page, SIGNED)
        page.page.context.set_offline(True)
        page.page.evaluate(OFFLINE)
        page.page.locator("#rec-leg").select_option(value="p1\nleg-a")
        assert page.page.locator("#rec-applied-leg").evaluate("n => n.hidden")  # each truck has its own field
        record(page, "Arrived")
        resume_clock(page)
        summary, inspected = record(page, "Inspection", more=undeclared_and_sealed)
        assert page.page.locator("#rec-undeclared-item-1").input_value() == ""  # the form starts afresh
        with clock.frozen_at(RECEIVED):
            page.page.context.set_offline(False)
            wait_for_count(page, "#rec-queue li[data-state=applied]", 2)
        listed = page.page.locator("#rec-queue li").all_inner_texts()
        bold = page.page.locator("#rec-queue b, #rec-summary b").count()
    assert "Undeclared goods found: Генератор <b>5 kW</b> 2 piece. Seals applied: Z-77 (HA-101)." in summary, summary
    assert "Генератор <b>5 kW</b>" in listed[1] and bold == 0, listed  # as text, never markup
    payload = inspected["payload"]
    assert payload["undeclared"] == [{"item": "Генератор <b>5 kW</b>", "quantity": 2, "unit": "piece"}]
    assert payload["applied"] == [{"seal": "Z-77", "vehicle": "truck-a1"}]
    assert set(payload) == {"leg", "checkpoint", "findings", "decision", "seals", "undeclared", "applied"}
    assert relayed()[1] == inspected  # on the log as signed
    leg = current_fold().state.plans["p1"].legs["leg-a"]
    [(_, party, report)] = leg.inspections
    assert party == "border" and report.decision == "cleared"
    assert [(u.item, u.quantity, u.unit) for u in report.undeclared] == [("Генератор <b>5 kW</b>", 2, "piece")]
    assert [(a.seal, a.vehicle) for a in report.applied] == [("Z-77", "truck-a1")]
    assert leg.arrivals == [(SIGNED, "lachin-checkpoint")]
    assert page.errors == [] and page.foreign_requests() == []


def test_an_arrival_the_service_fails_to_take_holds_back_its_inspection_until_it_is_on_the_log(
        parties, live_server, browser_page):  # noqa: F811
    """The queue goes in the order signed: when the arrival is not taken (a server error, once), the inspection
    signed after it is not sent ahead of it (it would be on the log without effect, the leg not yet arrived);
    both wait, saying so, and go in order on the app's next try."""
    failed = []

    def fail_once(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.post_data_json["statement"]["type"])
            route.fulfill(status=503, body="busy")

    with passkey_origin(live_server.url):
        page = officer(parties, browser_page, live_server.url)
        tablet_clock_stopped_at(page, SIGNED)
        page.page.context.set_offline(True)
        page.page.evaluate(OFFLINE)
        page.page.locator("#rec-leg").select_option(value="p1\nleg-a")
        record(page, "Arrived")
        resume_clock(page)
        record(page, "Inspection")
        with clock.frozen_at(RECEIVED):
            page.page.route("**/checkpoint-app/submit", fail_once)
            page.page.context.set_offline(False)
            wait_for_count(page, "#rec-queue li[data-state=queued]:has-text('it is tried again')", 2)
            assert StatementIndex.objects.filter(type="offline.relay").count() == 0  # nothing sent past it
            page.page.clock.run_for(31000)  # the app tries again by itself
            wait_for_count(page, "#rec-queue li[data-state=applied]", 2)
    assert failed == ["leg.arrive"]
    leg = current_fold().state.plans["p1"].legs["leg-a"]
    assert leg.arrivals == [(SIGNED, "lachin-checkpoint")] and len(leg.inspections) == 1
    assert leg.phase == "cleared"


def test_a_statement_that_arrives_too_late_is_kept_and_the_officer_told_why(parties, live_server,
                                                                           browser_page):  # noqa: F811
    """The plan is cancelled while the tablet is offline: the arrival signed meanwhile is on the log without
    effect, and the app says so in words. One signed on a device whose clock runs a day ahead is refused (not
    on the log), and the app keeps it with the service's reason: nothing signed is dropped silently."""
    with passkey_origin(live_server.url):
        page = officer(parties, browser_page, live_server.url)
        tablet_clock_stopped_at(page, SIGNED)
        page.page.context.set_offline(True)
        page.page.evaluate(OFFLINE)
        page.page.locator("#rec-leg").select_option(value="p1\nleg-a")
        record(page, "Arrived")
        tablet_clock_stopped_at(page, SIGNED + 86400)
        record(page, "Arrived")
        resume_clock(page)
        stages.post(parties, "org-a", "/plans/p1/cancel", {}, SIGNED + 300)
        with clock.frozen_at(RECEIVED):
            page.page.context.set_offline(False)
            wait_for_count(page, "#rec-queue li[data-state=refused]", 1)
        late, refused = page.page.locator("#rec-queue li").all_inner_texts()
        assert states(page) == ["not_applied", "refused"]
        page.open(APP)  # still there after the app is opened again
        assert states(page) == ["not_applied", "refused"]
    assert "On the log too late: without effect" in late and "late.plan_closed" in late, late
    assert "signed Sep 11, 2023, 4:05 PM (Asia/Baku) · received Sep 11, 2023, 4:30 PM" in late, late
    assert "Refused: not on the log" in refused and "offline.future" in refused, refused
    [record_] = current_fold().state.offline.values()
    assert record_.code == "late.plan_closed" and current_fold().state.plans["p1"].status == "cancelled"
    assert [e for e in page.errors if "status of 422" not in e] == []  # the refusal, as the browser logs it


def test_signed_out_meanwhile_the_items_wait_and_go_once_signed_in_again(parties, live_server,
                                                                       browser_page):  # noqa: F811
    """The session ends while the tablet is offline: back online, the arrival stays queued with what to do (it is
    not refused); signed in again, the app sends it when it starts."""
    with passkey_origin(live_server.url):
        page = officer(parties, browser_page, live_server.url)
        tablet_clock_stopped_at(page, SIGNED)
        page.page.context.set_offline(True)
        page.page.evaluate(OFFLINE)
        page.page.locator("#rec-leg").select_option(value="p1\nleg-a")
        record(page, "Arrived")
        resume_clock(page)
        page.page.context.clear_cookies()  # signed out (the session expired, or another officer signed out)
        with clock.frozen_at(RECEIVED):
            page.page.context.set_offline(False)
            wait_for_count(page, "#rec-queue li[data-state=queued]:has-text('Sign in again')", 1)
            assert StatementIndex.objects.filter(type="offline.relay").count() == 0
            for _ in range(3):  # as an officer would: a request the app sent while no cookie was set can answer
                page.sign_in("border-officer", PASSWORD)  # with a new CSRF cookie under the form (403): again
                if "/accounts/login" not in page.page.url:
                    break
            # signed in: the redirect's response has set the session cookie (its page need not have loaded)
            page.page.wait_for_url(lambda url: "/accounts/login" not in url, wait_until="commit", timeout=60_000)
            page.open(APP)  # the app starts: what waits is sent
            wait_for_count(page, "#rec-queue li[data-state=applied]", 1)
    assert current_fold().state.plans["p1"].legs["leg-a"].arrivals == [(SIGNED, "lachin-checkpoint")]
    assert [e for e in page.errors if "status of 401" not in e and "status of 403" not in e] == []


def test_the_recording_form_in_its_default_state_is_refused_with_what_to_do(parties, live_server,
                                                                         browser_page):  # noqa: F811
    """Sent as it comes: what is missing is listed and nothing is signed; complete, then cancelled at the
    "you are about to sign" step: nothing is kept either."""
    with passkey_origin(live_server.url):
        page = officer(parties, browser_page, live_server.url)
        page.page.get_by_role("button", name="Review and sign").click()
        problems = page.page.locator("#rec-problems").inner_text()
        assert page.page.locator("#rec-confirm").is_visible() is False
        page.page.locator("#rec-leg").select_option(value="p1\nleg-a")
        page.page.locator("#rec-form").get_by_label("Inspection", exact=True).check()
        page.page.get_by_role("button", name="Review and sign").click()
        inspection = page.page.locator("#rec-problems").inner_text()
        assert page.page.locator("#rec-confirm").is_visible() is False
        form = page.page.locator("#rec-form")  # an undeclared row half filled, a seal number the leg has
        form.get_by_text("Goods found that the manifest does not declare").click()
        form.locator("#rec-undeclared-item-2").fill("Tyres")
        form.locator("#rec-applied-truck-a1").fill("S-40211, Z-9 Z-9")
        page.page.get_by_role("button", name="Review and sign").click()
        extras = page.page.locator("#rec-problems").inner_text()
        assert page.page.locator("#rec-confirm").is_visible() is False
        form.locator('.line[data-line="flour"] input.found').fill("1000000000")  # more than the leg carries
        page.page.get_by_role("button", name="Review and sign").click()
        excess = page.page.locator("#rec-problems").inner_text()
        form.locator('.line[data-line="flour"] .code-box[value="excess"]').check()
        page.page.get_by_role("button", name="Review and sign").click()
        marked = page.page.locator("#rec-problems").inner_text()
        found = violations(page)  # axe-core, with the problems shown and the inspection's questions open
        summary, shown = record(page, "Arrived", sign=False)  # complete: shown for signing, then cancelled
        page.page.locator("#rec-confirm").get_by_role("button", name="Cancel").click()
        assert page.page.locator("#rec-confirm").is_visible() is False
        queued = states(page)
    assert found == [], found
    assert "Nothing was signed." in problems and "Choose a vehicle first." in problems, problems
    assert "Choose what to record" in problems, problems
    assert "Count what was found" in inspection and "Choose a decision" in inspection, inspection
    assert "Say for each seal whether it is intact, broken or not checked." in inspection, inspection
    assert "Undeclared goods" not in inspection and "Seals applied" not in inspection, inspection
    assert "Undeclared goods: give the item, the quantity as a whole number and the unit." in extras, extras
    assert "each given once (not one already on this passage): S-40211." in extras, extras  # Z-9 twice: one
    assert "More was found of a line than the leg carries" in excess, excess  # before anything is signed
    assert "More was found" not in marked, marked  # ticked "excess": said so, as the rules ask
    assert shown["type"] == "leg.arrive" and "HA-101" in summary, (summary, shown)
    assert queued == [] and StatementIndex.objects.filter(type__startswith="offline.").count() == 0
    assert page.errors == []
