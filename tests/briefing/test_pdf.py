"""The PDF: A4, Arabic shaped in an Arabic font and set right to left, charts as vectors, the machine-readable
briefing attached, the same bytes for the same inputs."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from corridor.briefing.render import document

from .conftest import BASE

A4 = (595, 842)  # points, rounded


@pytest.fixture(scope="module")
def arabic(briefing) -> bytes:
    return document(briefing, "ar", BASE, "pdf")


def fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_arabic_is_set_in_an_arabic_font_and_extracts_as_arabic(arabic):
    assert any("Naskh-Arabic" in name or "Arabic" in name for name in fonts(arabic)), fonts(arabic)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(arabic)).pages)
    assert "سبتمبر" in text  # September, from Django's Arabic month names (shaped, extracted in logical order)
    assert "54.3" in text or "54٫3" in text


def test_the_html_it_is_made_from_is_right_to_left(briefing):
    html = document(briefing, "ar", BASE, "html").decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_a4_pages_with_vector_charts_and_no_pictures(arabic):
    reader = PdfReader(io.BytesIO(arabic))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4
        xobjects = (page["/Resources"].get("/XObject") or {}).values()
        assert all(x.get_object().get("/Subtype") != "/Image" for x in xobjects)


def test_links_to_entries_and_proofs_are_in_the_pdf(arabic):
    uris = {annot.get_object()["/A"]["/URI"] for page in PdfReader(io.BytesIO(arabic)).pages
            for annot in page.get("/Annots") or [] if "/A" in annot.get_object()}
    assert f"{BASE}/log/entry/16" in uris and f"{BASE}/log/proof/16" in uris


def test_the_same_briefing_gives_the_same_bytes(briefing, arabic):
    assert document(briefing, "ar", BASE, "pdf") == arabic
