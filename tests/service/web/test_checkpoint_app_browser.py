"""The offline checkpoint app in chromium: loaded once online (the service worker takes control and keeps the
shell and data.json), then with the network cut (Playwright's offline mode) and the page reloaded, permits
are verified in the browser from QR code images and typed text — a valid one, a forged one, one signed by an
unknown key, a revoked one, an expired one (the device's clock after the window) and one for another
checkpoint — each told apart by the code shown. The app's default state, with no input, does not crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corridor.permits import qr
from corridor.service import clock
from corridor.service.parties.operations import do_create_user
from corridor.service.permits.models import IssuedPermit

from . import stages
from .browser import (
    BrowserPage,
    browser_page,  # noqa: F401 -- the fixture
)
from .test_accessibility import violations
from .test_checkpoint_app import NOON, road_b, scheduled

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"
TABLET = {"width": 800, "height": 1280}
SERVER_TIME = NOON + 1800  # the service's clock while the device is online: 12:30 on the day of the passage


def permits(parties) -> dict[str, bytes]:
    """p1 (road A, through Lachin) valid; b1 (road B, through the Aghdam gate) valid elsewhere; p2 revoked by
    an amendment — all on the log before the device fetches its data."""
    valid = scheduled(parties)  # T .. T+2400
    road_b(parties)  # T+2500 .. T+2800
    revoked = scheduled(parties, "p2", at=stages.T + 2900)
    stages.amend(parties, "p2", at=stages.T + 5400)
    revoked.refresh_from_db()
    assert revoked.revoked_index is not None
    elsewhere = IssuedPermit.objects.get(plan_id="b1")
    signed = bytes(valid.signed)
    assert signed.count(b"AB 123") == 1
    return {"valid": signed, "revoked": bytes(revoked.signed), "elsewhere": bytes(elsewhere.signed),
            "forged": signed.replace(b"AB 123", b"AB 128")}  # the plate changed after signing


def png(signed: bytes) -> dict:
    return {"name": "permit.png", "mimeType": "image/png", "buffer": qr.png(qr.to_text(signed), scale=4)}


def device_time(page: BrowserPage, seconds: int) -> None:
    page.page.clock.set_fixed_time(datetime.fromtimestamp(seconds, UTC))


def scan_image(page: BrowserPage, image: dict) -> str:
    """Choose the QR code image; the code of the answer shown."""
    result = page.page.locator("#cp-result")
    result.evaluate("node => node.removeAttribute('data-code')")
    page.page.locator("#cp-file").set_input_files(image)
    page.page.wait_for_selector("#cp-result[data-code]")
    return result.get_attribute("data-code")


CONTROLLED = """() => navigator.serviceWorker.controller ? true : new Promise(resolve =>
  navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true)))"""


def offline_app(parties, page: BrowserPage) -> BrowserPage:
    """Signed in on the tablet, the app loaded online and controlled by its worker, then the network cut."""
    do_create_user("border-tablet", "border", "officer", password=PASSWORD)
    page.page.set_viewport_size(TABLET)
    device_time(page, SERVER_TIME)
    page.sign_in("border-tablet", PASSWORD)
    page.open("/checkpoint-app/")
    page.page.evaluate(CONTROLLED)  # a promise, not a polled string predicate (an eval, which the CSP forbids)
    page.page.wait_for_selector("#cp-app[data-ready='1']")
    assert page.page.locator("#cp-app").get_attribute("data-source") == "network"
    page.page.context.set_offline(True)
    page.page.reload()
    page.page.wait_for_selector("#cp-app[data-ready='1']")
    assert page.page.evaluate("navigator.onLine") is False
    # the page and its data from what the service worker kept (it marks the copy it answers with)
    assert page.page.locator("#cp-app").get_attribute("data-source") == "device"
    assert page.page.locator("#cp-network").inner_text() == "Offline: verifying with the data kept on this device."
    return page


def test_offline_the_app_tells_each_permit_apart_by_its_code(parties, tiles, browser_page):  # noqa: F811
    with clock.frozen_at(SERVER_TIME):
        signed = permits(parties)
        page = offline_app(parties, browser_page)
        requests_before = len(page.requests)
        assert page.page.locator("#cp-checkpoint").input_value() == "lachin-checkpoint"  # the only one: chosen
        expected = page.page.locator("#cp-legs").inner_text()
        assert "AB 123" in expected and "ZZ 999" not in expected  # road B does not pass Lachin

        assert scan_image(page, png(signed["valid"])) == "valid"
        result = page.page.locator("#cp-result").inner_text()
        assert "VALID" in result and "AB 123" in result and "Lachin–Khankendi" in result
        assert "Wheat flour: 20 t" in result and "(Asia/Baku)" in result and "leg-a" in result
        page.screenshot("checkpoint-app-valid", "main")
        assert violations(page) == []  # axe-core, on the answer too

        assert scan_image(page, png(signed["forged"])) == "permit.forged"
        assert "Forged" in page.page.locator("#cp-result").inner_text()
        assert "Wheat flour" not in page.page.locator("#cp-result").inner_text()  # a forged permit's goods: never
        assert scan_image(page, png(signed["revoked"])) == "permit.revoked"
        assert scan_image(page, png(signed["elsewhere"])) == "permit.wrong_checkpoint"
        assert "Not for this checkpoint" in page.page.locator("#cp-result").inner_text()

        device_time(page, NOON + 86400)  # the next day: the window closed
        assert scan_image(page, png(signed["valid"])) == "permit.expired"
        assert "Outside its window" in page.page.locator("#cp-result").inner_text()
        device_time(page, NOON - 86400)  # the day before: not yet open
        assert scan_image(page, png(signed["valid"])) == "permit.not_yet_valid"
        page.screenshot("checkpoint-app-rejected", "main")
        assert violations(page) == []

        device_time(page, SERVER_TIME)
        page.page.locator("#cp-text").fill(qr.to_text(signed["valid"]))  # typed or pasted
        page.page.get_by_role("button", name="Verify", exact=True).click()
        page.page.wait_for_selector("#cp-result[data-code='valid']")
        page.page.locator("#cp-text").fill("CP1:NOT-A-PERMIT")
        page.page.get_by_role("button", name="Verify", exact=True).click()
        page.page.wait_for_selector("#cp-result[data-code='permit.unreadable']")
        assert page.errors == [] and page.foreign_requests() == []
        # offline: every request after the reload was answered by the service worker, none reached the server
        assert all(url.startswith(page.origin) for url in page.requests[requests_before:])


def test_a_permit_signed_by_an_unknown_key_is_told_from_a_forged_one(parties, tiles, browser_page):  # noqa: F811
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from corridor.permits import cose

    with clock.frozen_at(SERVER_TIME):
        valid = bytes(scheduled(parties).signed)
        message = cose.decode_sign1(valid)
        other = Ed25519PrivateKey.generate()
        from corridor.ledger.crypto import public_bytes
        from corridor.permits.trust import key_id

        foreign = cose.sign1(message.payload, other, key_id(public_bytes(other)))
        page = offline_app(parties, browser_page)
        assert scan_image(page, png(foreign)) == "permit.key_unknown"
        assert "does not trust" in page.page.locator("#cp-result").inner_text()
        assert page.errors == []


def test_the_app_as_it_comes_with_no_input_does_not_crash(parties, tiles, browser_page):  # noqa: F811
    with clock.frozen_at(SERVER_TIME):
        do_create_user("customs-tablet", "customs", "officer", password=PASSWORD)
        page = browser_page
        page.page.set_viewport_size(TABLET)
        page.sign_in("customs-tablet", PASSWORD)
        page.open("/checkpoint-app/")
        page.page.wait_for_selector("#cp-app[data-ready='1']")
        assert page.page.locator("#cp-result").is_hidden()
        assert "No passage expected here today or tomorrow." in page.page.locator("#cp-legs").inner_text()
        assert "Data refreshed" in page.page.locator("#cp-refreshed").inner_text()
        assert violations(page) == []
        page.page.get_by_role("button", name="Verify", exact=True).click()  # the form in its default state
        page.page.wait_for_selector("#cp-result[data-code='permit.unreadable']")
        page.page.get_by_role("button", name="Refresh").click()
        page.page.wait_for_selector("#cp-app[data-refreshed]")
        assert page.page.locator("#cp-notice").is_hidden()  # refreshed from the network
        page.page.locator("#cp-checkpoint").select_option("")  # no checkpoint: no answer, but what to do
        page.page.locator("#cp-text").fill("CP1:ANYTHING")
        page.page.get_by_role("button", name="Verify", exact=True).click()
        assert page.page.locator("#cp-notice").inner_text() == "Choose your checkpoint first."
        assert page.page.locator("#cp-result").get_attribute("data-code") == "permit.unreadable"  # unchanged
        page.page.locator("#cp-checkpoint").select_option("lachin-checkpoint")
        page.page.reload()  # the choice is remembered on the device
        page.page.wait_for_selector("#cp-app[data-ready='1']")
        assert page.page.locator("#cp-checkpoint").input_value() == "lachin-checkpoint"
        assert page.page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        assert page.errors == [] and page.foreign_requests() == []


def y4m(image_png: bytes, path, width: int = 640, height: int = 480) -> None:
    """A still video (YUV4MPEG2, 4:2:0) of the QR code on white, for chromium's fake camera."""
    import io

    from PIL import Image

    code = Image.open(io.BytesIO(image_png)).convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_scan_reads_the_code_from_the_camera_only_when_pressed(parties, tiles, live_server, tmp_path,
                                                              playwright_session):
    """Chromium's fake camera plays a video of the permit's QR code; nothing asks for the camera until
    *Scan* is pressed, then the code is read from the video frames and verified, and the camera stops."""
    from .browser import CHROMIUM

    with clock.frozen_at(SERVER_TIME):
        signed = bytes(scheduled(parties).signed)
        do_create_user("border-camera", "border", "officer", password=PASSWORD)
        video = tmp_path / "permit.y4m"
        y4m(qr.png(qr.to_text(signed), scale=4), video)
        browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=[  # a camera: its own
            "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        try:
            context = browser.new_context(viewport=TABLET, permissions=["camera"])
            page = BrowserPage(context.new_page(), live_server.url)
            device_time(page, SERVER_TIME)
            page.sign_in("border-camera", PASSWORD)
            page.open("/checkpoint-app/")
            page.page.wait_for_selector("#cp-app[data-ready='1']")
            assert page.page.evaluate("document.getElementById('cp-video').srcObject") is None
            page.page.get_by_role("button", name="Scan").click()
            page.page.wait_for_selector("#cp-result[data-code]", timeout=15000)
            assert page.page.locator("#cp-result").get_attribute("data-code") == "valid"
            assert "AB 123" in page.page.locator("#cp-result").inner_text()
            assert page.page.locator("#cp-video").is_hidden()  # the camera is off again
            assert page.page.evaluate("document.getElementById('cp-video').srcObject.getTracks()"
                                      ".every(track => track.readyState === 'ended')")
            assert page.errors == [] and page.foreign_requests() == []
        finally:
            browser.close()
