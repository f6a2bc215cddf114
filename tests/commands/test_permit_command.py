"""`corridor permit verify|show|qr`: offline, from a QR image, a text file or the text itself."""

from __future__ import annotations

import json

from corridor.cli import main
from corridor.engine.times import format_time
from corridor.permits import document
from corridor.permits.sign import permit_text
from tests.permits.factory import road_a_permit, signed


def setup(tmp_path):
    permit = road_a_permit()
    data, keys = signed(permit)
    key = next(iter(keys.values()))
    trust = tmp_path / "trust.txt"
    trust.write_text(f"# the log's own lines may stand beside it\nlog example+abcd\npermit {_b64(key.raw)} op\n")
    return permit, data, trust


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode()


def test_a_qr_image_verifies_offline_and_says_what_to_compare(tmp_path, capsys):
    permit, data, trust = setup(tmp_path)
    text_file = tmp_path / "permit.txt"
    text_file.write_text(permit_text(data) + "\n")
    image = tmp_path / "permit.png"
    assert main(["permit", "qr", str(text_file), "-o", str(image)]) == 0
    at = format_time(permit.start + 60)
    assert main(["permit", "verify", str(image), "--trust", str(trust), "--checkpoint", "lachin", "--at", at]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID") and "plate: AB-1" in out and "1000 kg Wheat flour" in out
    assert main(["permit", "verify", permit_text(data), "--trust", str(trust), "--at", at, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["valid"] and answer["permit"]["digest"] == document.digest(data)


def test_each_rejection_exits_1_with_its_code(tmp_path, capsys):
    permit, data, trust = setup(tmp_path)
    revoked = tmp_path / "revoked.txt"
    revoked.write_text(document.digest(data) + "\n")
    text, at = permit_text(data), format_time(permit.start + 60)
    cases = {
        "permit.revoked": ["--revoked", str(revoked), "--at", at],
        "permit.wrong_checkpoint": ["--checkpoint", "gate-b", "--at", at],
        "permit.expired": ["--at", format_time(permit.end + permit.tolerance + 1)],
        "permit.not_yet_valid": ["--at", format_time(permit.start - permit.tolerance - 1)],
    }
    for code, options in cases.items():
        assert main(["permit", "verify", text, "--trust", str(trust), "--json", *options]) == 1
        assert json.loads(capsys.readouterr().out)["code"] == code
    cose_file = tmp_path / "permit.cose"
    cose_file.write_bytes(data.replace(b"AB-1", b"AB-7"))
    assert main(["permit", "verify", str(cose_file), "--trust", str(trust), "--at", at]) == 1
    assert capsys.readouterr().out.startswith("REJECTED permit.forged")


def test_show_reads_without_verifying_and_bad_input_exits_2(tmp_path, capsys):
    permit, data, trust = setup(tmp_path)
    assert main(["permit", "show", permit_text(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("NOT VERIFIED") and "vehicle: v1" in out
    assert main(["permit", "verify", permit_text(data), "--trust", str(tmp_path / "missing")]) == 2
    capsys.readouterr()
    assert main(["permit", "verify", str(tmp_path / "no-such.png"), "--trust", str(trust)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"corridor permit verify: cannot read {tmp_path / 'no-such.png'}: No such file") and \
        "[Errno" not in error
    assert main(["permit", "verify", permit_text(data), "--trust", str(trust), "--at", "yesterday"]) == 2
    assert main(["permit", "show", "CP1:???"]) == 2


def test_the_permit_pages_svg_picture_is_refused_with_what_to_give_instead(tmp_path, capsys):
    """The permit page serves its code as SVG; verified as is, it answered "permit.unreadable: not CBOR"."""
    permit, data, trust = setup(tmp_path)
    text_file = tmp_path / "permit.txt"
    text_file.write_text(permit_text(data) + "\n")
    picture = tmp_path / "permit.svg"
    assert main(["permit", "qr", str(text_file), "-o", str(picture)]) == 0
    assert main(["permit", "verify", str(picture), "--trust", str(trust), "--at", format_time(permit.start)]) == 2
    error = capsys.readouterr().err
    assert "SVG" in error and "CP1:" in error and "not CBOR" not in error
