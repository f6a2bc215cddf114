"""Every response carries a strict Content-Security-Policy, nosniff and a referrer policy; behind TLS
(CORRIDOR_HTTPS=1) the cookies are Secure and HSTS is sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = [
    "/",  # HTML
    "/incidents",
    "/transparency/log",
    "/accounts/login/",
    "/api/v1/plans",  # JSON
    "/api/v1/docs",
    "/static/web/public.js",  # static files
    "/static/vendor/leaflet/leaflet.css",
    "/no-such-page",  # an error page
    "/api/v1/no-such-path",  # an API error the API's middleware turns into JSON
]


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_policy_and_the_headers(parties, path):
    response = Client().get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_api_docs_are_served_from_this_origin(parties):
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


def _settings_under(environ: dict[str, str]) -> dict:
    code = ("import json; from django.conf import settings as s; import django; django.setup(); print(json.dumps("
            "{k: getattr(s, k, None) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',"
            " 'SECURE_PROXY_SSL_HEADER')}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "corridor.service.settings", **environ}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_the_cookies_are_secure_and_hsts_is_on(tmp_path):
    plain = _settings_under({"CORRIDOR_DATA_DIR": str(tmp_path)})
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["SECURE_HSTS_SECONDS"] == 0
    tls = _settings_under({"CORRIDOR_DATA_DIR": str(tmp_path), "CORRIDOR_HTTPS": "1"})
    assert tls["SESSION_COOKIE_SECURE"] is True and tls["CSRF_COOKIE_SECURE"] is True
    assert tls["SECURE_HSTS_SECONDS"] >= 365 * 86400
    assert tls["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_is_sent_on_a_request_the_tls_proxy_forwarded(parties, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 365 * 86400
    response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in Client().get("/")  # not over plain HTTP


def test_the_kept_policy_is_django_csps_own_and_follows_the_settings(rf):
    """The header is built once (corridor/service/csp.py) but reads as django-csp builds it, follows a
    change of the settings, and a response with a policy of its own still gets django-csp's treatment."""
    from csp.middleware import CSPMiddleware as Library
    from csp.utils import build_policy
    from django.http import HttpResponse
    from django.test import override_settings

    from corridor.service.csp import CSPMiddleware

    def answer(middleware_class, request, response):
        middleware = middleware_class(lambda request: response)
        middleware.process_request(request)
        return middleware.process_response(request, response)

    plain = answer(CSPMiddleware, rf.get("/"), HttpResponse())
    assert plain["Content-Security-Policy"] == answer(Library, rf.get("/"), HttpResponse())["Content-Security-Policy"]
    assert plain["Content-Security-Policy"] == build_policy() and "Content-Security-Policy-Report-Only" not in plain
    own = HttpResponse()
    own._csp_update = {"img-src": ["https://tiles.example"]}
    assert "https://tiles.example" in answer(CSPMiddleware, rf.get("/"), own)["Content-Security-Policy"]
    exempt = HttpResponse()
    exempt._csp_exempt = True
    assert "Content-Security-Policy" not in answer(CSPMiddleware, rf.get("/"), exempt)
    nonce_request = rf.get("/")
    middleware = CSPMiddleware(lambda request: HttpResponse())
    middleware.process_request(nonce_request)
    str(nonce_request.csp_nonce)  # a page that used its nonce: django-csp's own path
    assert middleware.process_response(nonce_request, HttpResponse())["Content-Security-Policy"] == build_policy()
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}},
                           CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"img-src": ["'self'"]}}):
        changed = answer(CSPMiddleware, rf.get("/"), HttpResponse())
        assert changed["Content-Security-Policy"] == "default-src 'none'"
        assert changed["Content-Security-Policy-Report-Only"] == build_policy(report_only=True)
        assert "img-src 'self'" in changed["Content-Security-Policy-Report-Only"]
    assert answer(CSPMiddleware, rf.get("/"), HttpResponse())["Content-Security-Policy"] == plain[
        "Content-Security-Policy"]
