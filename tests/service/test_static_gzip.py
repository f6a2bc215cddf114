"""Static files are gzipped as they are sent to a browser that accepts it; nothing else is."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.test import Client

STATIC = Path(__file__).parents[2] / "src" / "corridor" / "service" / "web" / "static"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", ["vendor/jsQR.js", "vendor/basemap/region.json", "web/corridor.css"])
def test_a_static_text_file_is_sent_gzipped_to_a_browser_that_accepts_it(name):
    source = (STATIC / name).read_bytes()
    response = Client().get(f"/static/{name}", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    sent = body(response)
    assert gzip.decompress(sent) == source and len(sent) < len(source) / 2
    assert "Content-Security-Policy" in response  # the headers every answer carries are still there


def test_it_is_sent_as_it_is_without_the_header_and_as_a_range():
    source = (STATIC / "vendor/jsQR.js").read_bytes()
    plain = Client().get("/static/vendor/jsQR.js")
    assert not plain.has_header("Content-Encoding") and body(plain) == source
    part = Client().get("/static/vendor/jsQR.js", HTTP_ACCEPT_ENCODING="gzip", HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and not part.has_header("Content-Encoding") and body(part) == source[:100]


def test_pages_api_answers_and_images_are_not_compressed(db):
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    for path in ("/", "/api/v1/stats", "/log/trust.txt"):
        response = client.get(path)
        assert not response.has_header("Content-Encoding"), path
    icon = client.get("/static/checkpoint-app/icon-192.png")
    assert icon.status_code == 200 and not icon.has_header("Content-Encoding")


def test_a_gzipped_file_unchanged_since_is_not_sent_again():
    """Revalidated with the weak ETag it came with (or the strong one), an unchanged file answers 304."""
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    first = client.get("/static/vendor/jsQR.js")
    assert first["ETag"].startswith('W/"')
    assert client.get("/static/vendor/jsQR.js", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/static/vendor/jsQR.js", HTTP_IF_NONE_MATCH=first["ETag"][2:]).status_code == 304
    assert client.get("/static/vendor/jsQR.js", HTTP_IF_NONE_MATCH='W/"other"').status_code == 200
