"""Drive a scenario through the web pages: one signed-in browser context per party, each statement made by
filling and submitting the form its party sees on the page."""

from __future__ import annotations

from datetime import UTC, datetime

from corridor.engine.times import parse_time
from corridor.scenario.loader import load_scenario
from corridor.service import clock
from corridor.service.parties.operations import do_create_user
from corridor.service.web import zones

from ..documents.files import pdf
from .browser import SCREENSHOTS, BrowserPage

PASSWORD = "a-long-test-password"
# the request form numbers legs leg-1, leg-2, ...: the scenario's own leg ids map onto them by position
LEG_IDS: dict[tuple[str, str], str] = {}


def signed_in_pages(browser, origin: str, parties: list[str]) -> dict[str, BrowserPage]:
    pages = {}
    for party in parties:
        do_create_user(f"{party}-web", party, "officer", password=PASSWORD)
        page = BrowserPage(browser.new_context().new_page(), origin)
        page.sign_in(f"{party}-web", PASSWORD)
        pages[party] = page
    return pages


def drive_pages(scenario_path, pages: dict[str, BrowserPage], passkeys: bool = False) -> None:
    """Each statement made on its party's page; with `passkeys`, every one is signed in the "you are about to
    sign" dialog by the officer's passkey (the pages' virtual authenticator) instead of by the server."""
    for item in load_scenario(scenario_path).statements:
        with clock.frozen_at(parse_time(item.at)):
            pages[item.by].passkeys = passkeys
            STEPS[item.do](pages[item.by], item)
            messages = pages[item.by].page.locator(".messages .error")
            assert messages.count() == 0, (item.line, item.do, messages.all_inner_texts())


def click_and_sign(page: BrowserPage, button) -> None:
    """Submit a form; when the officer signs with a passkey, read the dialog and sign in it."""
    button.click()
    if getattr(page, "passkeys", False):
        dialog = page.page.locator("dialog.sign-dialog")
        if getattr(page, "sign_screenshot", None):  # once, for the docs: the dialog with its statement open
            dialog.locator("summary").click()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.page.screenshot(path=str(SCREENSHOTS / f"{page.sign_screenshot}.png"))  # the dialog, as seen
            page.sign_screenshot = None
        dialog.get_by_role("button", name="Sign with my passkey").click()
        dialog.wait_for(state="detached")
    page.page.wait_for_load_state("networkidle")


def _act(page: BrowserPage, item, kind: str, leg: str | None = None, fill: dict | None = None) -> None:
    page.open(f"/plans/{item.plan}")
    leg = LEG_IDS.get((item.plan, leg), leg)
    form = page.page.locator(f'form[action$="/act/{kind}"]:has(input[name="as"][value="{item.by}"])')
    if leg:
        form = form.filter(has=page.page.locator(f'input[name="leg"][value="{leg}"]'))
    for name, value in (fill or {}).items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    click_and_sign(page, form.locator("button[type=submit]:not([name=fill])"))  # not "all received as declared"


def submit(page: BrowserPage, item) -> None:
    page.open("/plans/new")
    form = page.page
    form.fill("#plan", item.plan)
    form.check(f'input[name="linkage"][value="{item.payload.get("linkage", "independent")}"]')
    if "tolerance_seconds" in item.payload:
        form.fill("#tolerance_minutes", str(item.payload["tolerance_seconds"] // 60))
    if item.payload.get("expires_at"):
        form.fill("#expires_at", _on_route_clock(item.payload["expires_at"], item.payload["legs"][0]["route"]))
    for n, leg in enumerate(item.payload["legs"], start=1):
        LEG_IDS[(item.plan, leg["id"])] = f"leg-{n}"
        if n > 1:  # the form starts with one leg; each further one is added (the page comes back with it)
            form.get_by_role("button", name="Add another leg").click()
            form.wait_for_load_state("networkidle")
        form.select_option(f"#leg{n}_route", leg["route"])
        form.check(f'input[name="leg{n}_direction"][value="{leg.get("direction", "forward")}"]')
        form.fill(f"#leg{n}_lines", "\n".join(
            f"{line['item']},{line['quantity']},{line['unit']},{line['weight_kg']},{line['category']},,{line['id']}"
            for line in leg["lines"]))
        form.fill(f"#leg{n}_vehicles", "\n".join(f"{v['plate']},{v['type']}" for v in leg.get("vehicles", [])))
        form.fill(f"#leg{n}_seals", " ".join(leg.get("seals", [])))
        form.fill(f"#leg{n}_crew", "\n".join(f"{m['name']}; {m['document']}" for m in leg.get("crew", [])))
    form.get_by_role("button", name="Review").click()
    click_and_sign(page, form.get_by_role("button", name="Submit and sign"))


def on_operation_clock(utc: str) -> str:
    """An RFC 3339 UTC time as a datetime-local value on the operation's clock (as a person there types it)."""
    from datetime import datetime

    from corridor.service.web import zones

    return f"{datetime.fromisoformat(utc).astimezone(zones.zone(zones.operation_zone())):%Y-%m-%dT%H:%M}"


def incident(page: BrowserPage, item) -> None:
    page.open("/incidents")
    claim = item.payload
    form = page.page.locator("form:has(#incident)")
    form.locator("#incident").fill(claim["incident"])
    form.locator("#category").select_option(claim["category"])
    form.locator("#place").fill(claim["place"]["name"])
    form.locator("#lat").fill(claim["place"].get("lat", ""))
    form.locator("#lon").fill(claim["place"].get("lon", ""))
    form.locator("#occurred_from").fill(on_operation_clock(claim["occurred_from"]))  # the form's default clock
    form.locator("#text").fill(claim["text"])
    click_and_sign(page, form.locator("button[type=submit]"))


def dispute(page: BrowserPage, item) -> None:
    page.open("/incidents")
    page.page.fill(f"#dispute-{item.payload['incident']}", item.payload["text"])
    form = page.page.locator(f'form:has(input[name="dispute"][value="{item.payload["incident"]}"])')
    click_and_sign(page, form.locator("button"))


def inspect(page: BrowserPage, item) -> None:
    """The counts found and the decision typed as the officer would (the form starts with neither)."""
    fill = {f"found-{finding['line']}": finding["found"] for finding in item.payload.get("findings", [])}
    fill["decision"] = item.payload["decision"]
    _act(page, item, "leg.inspect", item.payload["leg"], fill)


def deliver(page: BrowserPage, item) -> None:
    fill = {}
    for receipt in item.payload["receipts"]:
        fill |= {f"good-{receipt['line']}": receipt["good"], f"damaged-{receipt['line']}": receipt.get("damaged", 0),
                 f"lost-{receipt['line']}": receipt.get("lost", 0)}
    _act(page, item, "leg.deliver", item.payload["leg"], fill)


def revealed(page: BrowserPage, item) -> None:
    """The service revealed window and plates when the plan closed (the requester's custodial key), or, for a
    requester that signs only with passkeys, its officer does so from the page: the plan page then shows them
    as revealed and offers no reveal any more."""
    if getattr(page, "passkeys", False):
        _act(page, item, "plan.reveal")
    page.open(f"/plans/{item.plan}")
    assert page.page.locator('form[action$="/act/plan.reveal"]').count() == 0
    assert page.page.locator("details.proof code").count() > 0  # the salts that prove the revealed values


def note(page: BrowserPage, item) -> None:
    """A note is a document uploaded on the plan page (its hash computed by the service, never typed): the
    scenario's own hash stands for a file the example does not carry, so a PDF saying its title is uploaded."""
    page.open(f"/plans/{item.plan}")
    form = page.page.locator("form.upload-document")
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "note.pdf", "mimeType": "application/pdf", "buffer": pdf(item.payload.get("title", ""))}])
    form.locator('[name="kind"]').select_option(item.payload.get("kind", "note_verbale"))
    form.locator('[name="title"]').fill(item.payload.get("title", ""))
    click_and_sign(page, form.locator("button[type=submit]"))


def _on_route_clock(moment: str, route: str) -> str:
    """A UTC time of the scenario as the requester types it: on the clock of the first leg's crossing."""
    local = datetime.fromtimestamp(parse_time(moment), UTC).astimezone(zones.zone(zones.route_zone(route)))
    return f"{local:%Y-%m-%dT%H:%M}"


def _on_crossing_clock(moment: str, plan: str) -> str:
    """A UTC time of the scenario as the officer types it: on the clock of the plan's crossing."""
    local = datetime.fromtimestamp(parse_time(moment), UTC).astimezone(zones.zone(zones.plan_zone(plan)))
    return f"{local:%Y-%m-%dT%H:%M}"


STEPS = {
    "plan.submit": submit,
    "plan.reveal": revealed,
    "plan.consent": lambda page, item: _act(page, item, "plan.consent", fill={  # one condition a line
        "conditions": "\n".join(item.payload["conditions"])} if item.payload.get("conditions") else None),
    "plan.note": lambda page, item: note(page, item),
    "slot.propose": lambda page, item: _act(page, item, "slot.propose", fill={
        "start": _on_crossing_clock(item.payload["start"], item.plan),
        "end": _on_crossing_clock(item.payload["end"], item.plan)}),
    "slot.confirm": lambda page, item: _act(page, item, "slot.confirm"),
    "leg.arrive": lambda page, item: _act(page, item, "leg.arrive", item.payload["leg"]),
    "leg.inspect": lambda page, item: inspect(page, item),
    "plan.go": lambda page, item: _act(page, item, "plan.go"),
    "leg.depart": lambda page, item: _act(page, item, "leg.depart", item.payload["leg"]),
    "leg.deliver": deliver,
    "incident.report": incident,
    "incident.dispute": dispute,
}
