"""A manifest uploaded on the request page that is not a CSV or XLSX manifest (an image, an old .xls, a
broken workbook) is refused beside its leg with a plain message; nothing is signed, no page fails."""

from __future__ import annotations

import io

import pytest

from corridor.service import clock
from corridor.service.passages.models import Plan

from .test_flows import T, request_form
from .test_pages import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "content", "shown"), [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png is a PNG image, not a CSV or XLSX manifest"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls is an old Excel (.xls) workbook"),
    ("broken.xlsx", b"PK\x03\x04 broken", "the file is not a readable XLSX workbook"),
], ids=["png", "xls", "broken-xlsx"])
def test_a_wrong_file_is_refused_beside_its_leg(parties, name, content, shown):
    upload = io.BytesIO(content)
    upload.name = name
    with clock.frozen_at(T):
        response = signed_in("org-a").post("/plans/new", request_form(action="submit", leg1_lines="",
                                                                       leg1_manifest=upload))
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert not Plan.objects.exists()
