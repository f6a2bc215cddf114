"""The QR layer against the EU DCC vectors, unmodified: prefix, base45, zlib, and the QR picture itself
(read with zxing-cpp); then a permit's own text through a drawn code and back."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from corridor.permits import qr
from tests.shared import shared_dir, shared_path

DCC_PREFIX = "HC1:"


def dcc_cases(tests_layer) -> list:
    """The DCC vectors that test a layer (`tests_layer(case)`): each vector holds only some layers (a
    signature vector may carry no picture), so a test runs on exactly the vectors meant for it."""
    shared = shared_dir("vectors")
    if shared is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared vectors not found"))]
    paths = sorted((shared / "vectors" / "dgc").glob("*/2DCode/raw/*.json"))
    return [pytest.param(path, id=f"{path.parts[-4]}-{path.stem}") for path in paths
            if tests_layer(json.loads(path.read_text()))]


def _has_text_and_cose(case: dict) -> bool:
    return bool(case.get("PREFIX") and case.get("COSE"))


def _tests_text_layers(case: dict) -> bool:
    steps = [_expected(case, name) for name in ("UNPREFIX", "B45DECODE", "COMPRESSION")]
    return _has_text_and_cose(case) and (False in steps or any(steps))


def _tests_picture(case: dict) -> bool:
    return _expected(case, "PICTUREDECODE") is not None and bool(case.get("2DCODE") and case.get("PREFIX"))


def test_the_vectors_hold_cases_for_each_layer():
    """Guards the selection above: an empty selection would test nothing."""
    shared_path("vectors", "dgc")  # a skip with a notice here, a failure in CI (CORRIDOR_REQUIRE_VECTORS)
    assert len(dcc_cases(_tests_text_layers)) > 20 and len(dcc_cases(_tests_picture)) > 20


def _expected(case: dict, name: str) -> bool | None:
    return case.get("EXPECTEDRESULTS", {}).get(f"EXPECTED{name}")


@pytest.mark.parametrize("path", dcc_cases(_tests_text_layers))
def test_dcc_text_unpacks_to_its_cose_bytes(path):
    case = json.loads(path.read_text())
    steps = [_expected(case, name) for name in ("UNPREFIX", "B45DECODE", "COMPRESSION")]
    if False in steps:
        with pytest.raises(qr.QrTextError):
            unpacked = qr.from_text(case["PREFIX"], DCC_PREFIX)
            assert unpacked == bytes.fromhex(case["COSE"])  # a step that must fail may fail as a mismatch
            raise qr.QrTextError("the unpacked bytes are not the vector's COSE")
        return
    assert qr.from_text(case["PREFIX"], DCC_PREFIX) == bytes.fromhex(case["COSE"])


@pytest.mark.parametrize("path", dcc_cases(_tests_picture))
def test_dcc_pictures_read_back_to_their_text(path, tmp_path):
    case = json.loads(path.read_text())
    expected = _expected(case, "PICTUREDECODE")
    image = tmp_path / "code.png"
    image.write_bytes(base64.b64decode(case["2DCODE"]))
    try:
        read = qr.read_image(image) == case["PREFIX"]
    except qr.QrTextError:
        read = False
    assert read == expected


def test_a_permits_text_is_deflated_base45_behind_its_prefix_and_survives_a_drawn_code(tmp_path):
    signed = bytes(range(256)) * 2
    text = qr.to_text(signed)
    assert text.startswith("CP1:") and set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert zlib.decompress(__import__("base45").b45decode(text[4:])) == signed
    assert qr.from_text(text) == signed
    image = tmp_path / "permit.png"
    image.write_bytes(qr.png(text))
    assert qr.read_image(image) == text
    assert qr.svg(text).startswith("<svg") and "<script" not in qr.svg(text)


def test_text_that_is_not_a_permit_is_told_apart():
    for text in ("HC1:6BFOXN", "CP1:!!!", "CP1:" + "A" * 3):
        with pytest.raises(qr.QrTextError):
            qr.from_text(text)
