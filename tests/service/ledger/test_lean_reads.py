"""The public log's lean path (service/ledger/lean_reads.py) answers exactly as Django's full stack does: same status,
body and headers (security headers, caching, attachment name), for the common case it serves and for every
request it hands to Django (not found, bad input, a host not allowed, other methods, a damaged tile)."""

from __future__ import annotations

import io
import re
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from corridor.ledger.evidence import parse_evidence, verify_evidence
from corridor.ledger.note import parse_verifier
from corridor.service import wsgi
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.keys import log_signer
from corridor.service.ledger.lean_reads import lean_response

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT_LANGUAGE": "ar,fr;q=0.9", "HTTP_USER_AGENT": "Mozilla/5.0"}
COOKIES = {**BROWSER, "HTTP_COOKIE": "sessionid=stale; csrftoken=x; django_language=ru"}


@pytest.fixture(autouse=True)
def whole_requests_inside_the_test_transaction():
    """As Django's test client does: a request through the WSGI handler must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def environ(path: str, method: str = "GET", **extra: str) -> dict:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
            "SERVER_PORT": "80", "HTTP_HOST": "testserver", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, **extra}


def answer(application, path: str, method: str = "GET", **extra: str) -> tuple[str, list[tuple[str, str]], bytes]:
    started: list = []
    body = application(environ(path, method, **extra), lambda status, headers, exc_info=None:
                       started.append((status, headers)))
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return started[0][0], started[0][1], content


def same_answer(path: str, method: str = "GET", full_stack=None, **extra: str) -> tuple[str, list, bytes]:
    """The answer through the application the web server runs (lean path first), checked against the full stack's
    (a fresh one after a test changed settings: Django's handler reads them once, when it is made)."""
    lean = answer(wsgi.application, path, method, **extra)
    full = answer(full_stack or wsgi.django_application, path, method, **extra)
    assert lean[0] == full[0] and lean[2] == full[2]
    assert _fresh_token_hidden(lean[1]) == _fresh_token_hidden(full[1])
    return lean


def _fresh_token_hidden(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A replaced CSRF cookie is random each time (the full stack's answer to a malformed one), and its expiry
    is a year from the second it was set: the two answers may straddle a second (seen once in CI, under load)."""
    return [(name, re.sub(r"expires=[^;]+", "expires=…", re.sub(r"csrftoken=\w+", "csrftoken=…", value)))
            for name, value in headers]


def test_the_common_case_is_served_lean_with_the_full_stacks_headers(parties, tiles):
    integrate_now()
    for extra in ({}, BROWSER):
        for path in ("/log/checkpoint", "/log/proof/3", "/log/proof/0"):
            assert lean_response(environ(path, **extra)) is not None, path
            status, headers, body = same_answer(path, **extra)
            names = dict(headers)
            assert status == "200 OK" and body
            assert "default-src 'self'" in names["Content-Security-Policy"]
            assert names["X-Content-Type-Options"] == "nosniff" and names["Referrer-Policy"] == "same-origin"
            assert names["X-Frame-Options"] == "DENY" and names["Content-Type"] == "text/plain; charset=utf-8"
    assert lean_response(environ("/log/proof/3", QUERY_STRING="download=1")) is not None  # as Django: ignored
    same_answer("/log/proof/3", QUERY_STRING="download=1")
    assert dict(same_answer("/log/checkpoint")[1])["Cache-Control"] == "no-cache"
    assert dict(same_answer("/log/proof/3")[1])["Content-Disposition"] == 'attachment; filename="entry-3.tlog-proof"'
    assert dict(same_answer("/log/proof/3", **BROWSER)[1])["Content-Language"] == "ar"  # as the stack says it


def test_a_request_with_cookies_is_left_to_the_full_stack(parties, tiles):
    """A browser's cookies may change the answer (a malformed CSRF cookie is replaced, a language cookie
    chooses Content-Language): the lean path leaves such requests to Django."""
    integrate_now()
    for path in ("/log/checkpoint", "/log/proof/3"):
        assert lean_response(environ(path, **COOKIES)) is None
        headers = same_answer(path, **COOKIES)[1]
        assert dict(headers)["Content-Language"] == "ru"
        assert any(name == "Set-Cookie" and "csrftoken=" in value for name, value in headers)


def test_the_proof_served_lean_verifies(parties, tiles):
    integrate_now()
    _, _, blob = same_answer("/log/proof/5")
    _, _, entry = same_answer("/log/entry/5")
    log_key = parse_verifier(log_signer().verifier.encode())
    checkpoint, _ = verify_evidence(parse_evidence(blob.decode()), entry, log_key)
    assert checkpoint.size == 16


def test_hsts_behind_the_tls_proxy_as_the_full_stack_sends_it(parties, tiles, settings):
    integrate_now()
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 365 * 86400
    assert lean_response(environ("/log/proof/3", HTTP_X_FORWARDED_PROTO="https")) is not None
    _, headers, _ = same_answer("/log/proof/3", full_stack=WSGIHandler(), HTTP_X_FORWARDED_PROTO="https")
    assert dict(headers)["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in dict(same_answer("/log/proof/3", full_stack=WSGIHandler())[1])


def test_no_checkpoint_yet_is_djangos_404(public, tiles):
    for path in ("/log/checkpoint", "/log/proof/0"):
        assert lean_response(environ(path)) is None
        for extra in ({}, BROWSER, COOKIES):
            status, _, _ = same_answer(path, **extra)
            assert status == "404 Not Found"


@pytest.mark.parametrize("path", ["/log/proof/16", "/log/proof/99999999999999999999999", "/log/proof/-1",
                                  pytest.param("/log/proof/" + "7" * 5000, id="5000 digits: more than int() takes"),
                                  "/log/proof/" + "0" * 30 + "3",  # proof 3, but Django's to serve
                                  "/log/proof/x", "/log/proof/3/", "/log/proof/",
                                  "/log/proof/٣".encode().decode("latin-1"),  # as PEP 3333 gives a path
                                  "/log/checkpoint/",
                                  "/log/checkpoint.16", "/log/tile/0/000.p/16"])
def test_what_the_lean_path_does_not_serve_is_djangos_answer(parties, tiles, path):
    integrate_now()
    assert lean_response(environ(path)) is None
    for extra in ({}, BROWSER, COOKIES):
        same_answer(path, **extra)


def test_a_host_not_allowed_other_methods_and_a_changed_stack_go_to_django(parties, tiles, settings):
    integrate_now()
    assert lean_response(environ("/log/proof/3", HTTP_HOST="evil.example")) is None
    assert same_answer("/log/proof/3", HTTP_HOST="evil.example")[0] == "400 Bad Request"
    for method in ("HEAD", "POST", "OPTIONS"):
        assert lean_response(environ("/log/proof/3", method)) is None
        same_answer("/log/proof/3", method)
    full = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [m for m in full if "clickjacking" not in m]
    assert lean_response(environ("/log/proof/3")) is None  # the lean path would add a header the stack no longer does
    settings.MIDDLEWARE = [*full, "corridor.service.somewhere.NewHeadersMiddleware"]
    assert lean_response(environ("/log/proof/3")) is None  # one it does not know might add a header
    settings.MIDDLEWARE = [*full, "corridor.service.replica.ReplicaReadsMiddleware"]  # as with a replica configured
    assert lean_response(environ("/log/proof/3")) is not None


def test_a_damaged_tile_is_left_to_the_database_checked_proof(parties, tiles):
    integrate_now()
    assert lean_response(environ("/log/proof/3")) is not None  # the kept reader has the tile now; a fresh one next
    from corridor.service.ledger import views

    views._readers.clear()
    tile = tiles / "tile" / "0" / "000.p" / "16"
    data = bytearray(tile.read_bytes())
    data[3 * 32] ^= 0xFF
    tile.write_bytes(bytes(data))
    assert lean_response(environ("/log/proof/3")) is None
    status, _, blob = answer(wsgi.application, "/log/proof/3")
    _, _, entry = answer(wsgi.application, "/log/entry/3")
    assert status == "200 OK"
    verify_evidence(parse_evidence(blob.decode()), entry, parse_verifier(log_signer().verifier.encode()))


def test_a_new_checkpoint_is_read_once_and_served_as_soon_as_published(parties, tiles):
    from corridor.service.clock import frozen_at
    from tests.service.plans import plan_body

    integrate_now()
    first = same_answer("/log/checkpoint")[2]
    assert same_answer("/log/checkpoint")[2] == first
    with frozen_at(1694420000):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    integrate_now()
    later = same_answer("/log/checkpoint")[2]
    assert later != first and later == (tiles / "checkpoint").read_bytes()
    assert int(later.decode().split("\n")[1]) > int(first.decode().split("\n")[1])


def test_proofs_between_two_published_sizes_and_at_the_older_one_after_the_reader_advanced(parties, tiles):
    """An entry published since the last proof is served at once; a request that read the older checkpoint
    (the kept reader meanwhile advanced by another) gets a proof that verifies against that older root."""
    from corridor.service.clock import frozen_at
    from corridor.service.ledger.published import published_checkpoint
    from tests.service.plans import plan_body

    integrate_now()
    older = (tiles / "checkpoint").read_bytes()
    assert published_checkpoint().checkpoint.size == 16
    with frozen_at(1694420000):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    request_started.disconnect(close_old_connections)  # the test client connected them again
    request_finished.disconnect(close_old_connections)
    integrate_now()
    log_key = parse_verifier(log_signer().verifier.encode())
    assert lean_response(environ("/log/proof/16")) is not None
    blob, entry = same_answer("/log/proof/16")[2], same_answer("/log/entry/16")[2]
    assert verify_evidence(parse_evidence(blob.decode()), entry, log_key)[0].size > 16
    from corridor.ledger.tiles import write_atomically

    write_atomically(tiles / "checkpoint", older)  # as a request that read it before the new one was published
    assert lean_response(environ("/log/proof/3")) is not None
    blob, entry = same_answer("/log/proof/3")[2], same_answer("/log/entry/3")[2]
    assert verify_evidence(parse_evidence(blob.decode()), entry, log_key)[0].size == 16
