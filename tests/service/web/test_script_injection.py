"""No party's text runs as script in anyone's browser: script payloads planted through the API in every
free-text field a party (or the operator) can set, then every page that shows them opened in chromium,
anonymous and signed in, with every map popup opened. `window.__xss` must stay undefined, the payloads
must show as text, and every response must carry the Content-Security-Policy."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.guard import guarded
from corridor.service.parties.operations import do_create_user, do_define_route, do_issue_token, do_register_party

from ..conftest import PartyClient
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
PAYLOADS = ('<img src=x onerror="window.__xss=1">', "<script>window.__xss=1</script>",
            '"><svg onload=window.__xss=1>')
T = 1694420000  # 2023-09-11T08:13:20Z
PASSWORD = "a-long-test-password"


def planted(label: str) -> str:
    return f"{label} {' '.join(PAYLOADS)}"


def one(label: str, n: int) -> str:
    """One payload only: the read models keep unit, plate and type in 100 characters (passages/models.py)."""
    return f"{label} {PAYLOADS[n]}"


def _party(party: str, name: str, kind: str) -> PartyClient:
    do_register_party(party, planted(name), kind)
    user, _ = do_create_user(f"{party}-officer", party, "officer", password=PASSWORD)
    return PartyClient(party, do_issue_token(user, "test"))


def _content() -> dict:
    return {"linkage": "independent", "legs": [{
        "id": "leg-x", "route": "road-x",
        "lines": [{"id": "l1", "item": planted("item"), "category": planted("category"), "quantity": 5,
                   "unit": one("unit", 0), "weight_kg": 500}],
        "vehicles": [{"id": "v1", "plate": one("plate", 1), "type": one("type", 2)}],
        "seals": [planted("seal")],
    }]}


def _post(client: PartyClient, path: str, body: dict, at: int) -> dict:
    with clock.frozen_at(at):
        status, answer = client.post(path, body)
    assert status == 201, (path, answer)
    return answer


def plant_everywhere(parties) -> None:
    with clock.frozen_at(T), guarded():
        org, auth = _party("xss-org", "organisation", "humanitarian"), _party("xss-auth", "authority", "authority")
        do_define_route({"id": "road-x", "name": planted("route"), "checkpoints": [
            {"id": "x-gate", "name": planted("gate"), "inspected_by": ["xss-auth"], "lat": "39.7", "lon": "46.7"}],
            "policy": [{"party": "xss-auth", "capacity": "border_control"},
                       {"party": "border", "capacity": "transit"}]})
    border = parties["border"]
    for plan in ("xss-1", "xss-2"):
        _post(org, "/plans", {"plan": plan, **_content()}, T + 60)
    version = org.get("/plans/xss-1")[1]["version"]
    _post(border, "/plans/xss-1/request-info", {"request": "q1", "question": planted("question")}, T + 120)
    _post(org, "/plans/xss-1/answer", {"request": "q1", "answer": planted("answer")}, T + 180)
    _post(border, "/plans/xss-1/request-info", {"request": "q2", "question": planted("open question")}, T + 190)
    _post(org, "/plans/xss-1/note", {"sha256": "a" * 64, "kind": planted("kind"), "title": planted("title")}, T + 240)
    _post(auth, "/plans/xss-1/refuse", {"version": version, "reason": "security", "text": planted("refusal")}, T + 300)
    _post(border, "/plans/xss-1/consent", {"version": version, "conditions": [planted("condition")]}, T + 360)
    _post(border, "/plans/xss-1/withdraw", {"reason": "security", "text": planted("withdrawal")}, T + 420)
    second = org.get("/plans/xss-2")[1]["version"]  # not xss-1's: each plate is committed with its own salt
    for party in (auth, border):  # xss-2 goes on to the gate, so the checkpoint screen shows its lines and seals
        _post(party, "/plans/xss-2/consent", {"version": second}, T + 480)
    _post(org, "/plans/xss-2/propose-slot", {"slot": "s1", "start": "2023-09-11T12:00:00Z",
                                             "end": "2023-09-11T13:00:00Z"}, T + 540)
    for party in (auth, border):
        _post(party, "/plans/xss-2/confirm-slot", {"slot": "s1"}, T + 600)
    _post(org, "/plans/xss-2/arrive", {"leg": "leg-x", "checkpoint": "x-gate"}, 1694433900)
    _post(border, "/incidents", {"incident": "xss-inc", "category": "mines_uxo", "text": planted("incident"),
                                 "occurred_from": "2023-09-11T06:00:00Z",
                                 "place": {"name": planted("place"), "lat": "39.6", "lon": "46.6"}}, 1694434000)
    _post(parties["recv"], "/incidents/xss-inc/dispute", {"text": planted("dispute")}, 1694434060)


PAGES = ["/", "/incidents", "/transparency/log", "/transparency/log?index=20", "/plans/xss-1", "/plans/xss-2",
         "/plans/xss-2/go", "/accounts/login/", "/api/v1/plans", "/api/v1/incidents"]
SIGNED_IN_PAGES = ["/home", "/checkpoints/x-gate"]
SHOWN_AS_TEXT = {"/plans/xss-1": ["item", "refusal", "withdrawal", "organisation"],
                 "/incidents": ["place", "incident", "dispute"], "/": ["authority"]}


def open_every_popup(page) -> list[str]:
    """Click each marker and route line on the map; the text each popup shows."""
    texts = []
    markers = page.page.locator('#map path.leaflet-interactive:not([fill="#eef1f4"])')  # not the countries
    for n in range(markers.count()):
        markers.nth(n).dispatch_event("click")
        content = page.page.locator(".leaflet-popup-content").last  # the one just opened
        content.wait_for()
        assert content.locator("img, svg, script").count() == 0, content.inner_html()
        texts.append(content.inner_text())
    return texts


def visit(page, path: str) -> None:
    if path.startswith("/api/"):  # JSON, fetched by the page (opened as a page, chromium would ask for a favicon)
        assert page.page.evaluate("url => fetch(url).then(r => r.status)", path) == 200
        return
    page.open(path)
    popups = open_every_popup(page) if path in ("/", "/incidents") else []
    if path in ("/", "/incidents"):
        assert any(PAYLOADS[0] in text for text in popups), popups  # the place shown, as text
    shown = page.page.locator("body").inner_text()
    for label in SHOWN_AS_TEXT.get(path, []):
        assert planted(label) in shown, (path, label)
    assert page.page.evaluate("typeof window.__xss") == "undefined", path


def test_no_planted_text_runs_as_script_on_any_page(parties, browser_page, tiles):  # noqa: F811
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.web.precompute import refresh

    plant_everywhere(parties)
    integrate_now()
    refresh(force=True)
    page = browser_page
    responses = []
    page.page.on("response", lambda response: responses.append(response))
    with clock.frozen_at(1694434100):
        for path in PAGES:
            visit(page, path)
        page.sign_in("xss-auth-officer", PASSWORD)
        for path in [*PAGES, *SIGNED_IN_PAGES]:
            visit(page, path)
        page.sign_in("xss-org-officer", PASSWORD)
        for path in ("/home", "/plans/xss-1", "/plans/new"):
            visit(page, path)
    # static files: the live server's own handler serves them here, not WhiteNoise (which production uses, and
    # test_security_headers.py checks), so only the application's responses are looked at
    ours = [r for r in responses if r.url.startswith(page.origin) and "/static/" not in r.url]
    assert {r.url for r in ours if "/api/" in r.url}
    assert [r.url for r in ours if "default-src 'self'" not in (r.headers.get("content-security-policy") or "")] == []
    assert [r.url for r in responses if r.status >= 400] == []
    assert page.errors == [] and page.foreign_requests() == []
