"""`corridor permit verify|show|qr`: a passage permit checked offline, read, or drawn as a QR code.

    corridor permit verify PERMIT --trust TRUSTFILE [--revoked LIST] [--checkpoint ID] [--at TIME] [--json]
    corridor permit audit PERMIT SOURCE --trust TRUSTFILE [--json]      (against the log, once online)

PERMIT is a QR image (PNG, JPEG, ...), a text file holding "CP1:...", the signed bytes, "-" for standard
input, or the QR text itself. Exit status: 0 valid, 1 rejected (the code says why), 2 cannot run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..permits import qr

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")


def add(commands: argparse._SubParsersAction) -> None:
    permit = commands.add_parser("permit", help="verify (offline), audit (against the log), show or draw a permit")
    actions = permit.add_subparsers(required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="verify a permit offline with a trust file")
    _input(verify)
    verify.add_argument("--trust", required=True, metavar="FILE", help="trust file with `permit KEY PARTY` lines")
    verify.add_argument("--revoked", metavar="FILE", help="revocation list (permit digests) taken from the log")
    verify.add_argument("--checkpoint", metavar="ID", help="the checkpoint where it is shown (its id)")
    verify.add_argument("--at", metavar="TIME", help="verify as of this RFC 3339 UTC time (default: now)")
    verify.add_argument("--json", action="store_true", help="answer as JSON")
    verify.set_defaults(handler=verify_command)
    audit = actions.add_parser("audit", help="check a permit against the log: recorded, consents, revoked")
    _input(audit)
    audit.add_argument("source", metavar="SOURCE", help="the log: tiles directory or http(s) URL")
    audit.add_argument("--trust", required=True, metavar="FILE",
                       help="trust file: `log`, `registrar` and `permit` lines (GET /log/trust.txt)")
    audit.add_argument("--json", action="store_true", help="answer as JSON")
    audit.set_defaults(handler=audit_command)
    show = actions.add_parser("show", help="print what a permit says, WITHOUT verifying it")
    _input(show)
    show.set_defaults(handler=show_command)
    draw = actions.add_parser("qr", help="draw a permit's QR code (SVG or PNG, by the output's extension)")
    _input(draw)
    draw.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.svg or FILE.png")
    draw.set_defaults(handler=qr_command)


def _input(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("permit", metavar="PERMIT", help='QR image, text or COSE file, "-" (stdin), or "CP1:..."')


def verify_command(args: argparse.Namespace) -> int:
    from ..engine import RuleViolation
    from ..engine.times import parse_time
    from ..permits.errors import PermitRejected
    from ..permits.trust import read_permit_keys
    from ..permits.verify import parse_revocation_list, verify_permit

    try:
        data = read_permit(args.permit)
        keys = read_permit_keys(args.trust)
        revoked = parse_revocation_list(Path(args.revoked).read_text()) if args.revoked else frozenset()
        now = parse_time(args.at) if args.at else int(time.time())
    except OSError as error:  # a file named that is missing or unreadable: said as `corridor import` says it
        print(f"corridor permit verify: cannot read {error.filename or args.permit}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    except (ValueError, RuleViolation) as error:  # RuleViolation: --at is not an RFC 3339 time
        print(f"corridor permit verify: {error}", file=sys.stderr)
        return 2
    try:
        verified = verify_permit(data, keys, now, args.checkpoint, revoked)
    except PermitRejected as rejected:
        _answer(args.json, {"valid": False, "code": rejected.code, "detail": rejected.detail},
                f"REJECTED {rejected.code}: {rejected.detail}")
        return 1
    summary = _summary(verified.permit) | {"digest": verified.digest, "signed_by": verified.key.party}
    _answer(args.json, {"valid": True, "permit": summary}, "VALID\n" + _lines(summary))
    return 0


def audit_command(args: argparse.Namespace) -> int:
    """Verified offline first (signature), then against the whole verified log (ledger/verify.py)."""
    from ..ledger.trustfile import read_trust
    from ..ledger.verify import Source, VerificationError, verify_trusted
    from ..permits.audit import settle
    from ..permits.errors import PermitRejected
    from ..permits.trust import read_permit_keys
    from ..permits.verify import verify_signature

    try:
        data = read_permit(args.permit)
        keys, trust = read_permit_keys(args.trust), read_trust(args.trust)
        report = verify_trusted(Source(args.source), trust)
    except (OSError, ValueError, VerificationError) as error:
        print(f"corridor permit audit: {error}", file=sys.stderr)
        return 2
    try:
        verified = verify_signature(data, keys)
    except PermitRejected as rejected:
        _answer(args.json, {"settled": False, "problems": [[rejected.code, rejected.detail]]},
                f"REJECTED {rejected.code}: {rejected.detail}")
        return 1
    settled = settle(verified.permit, verified.digest, report.entries)
    answer = {"settled": settled.ok, "permit": verified.permit.id, "plan": verified.permit.plan,
              "log_size": report.size, "issued_at_index": settled.issued_index,
              "revoked_at_index": settled.revoked_index, "problems": [list(p) for p in settled.problems]}
    text = (f"SETTLED: permit {verified.permit.id} recorded at log entry {settled.issued_index} of {report.size}"
            if settled.ok else "\n".join(f"REJECTED {code}: {detail}" for code, detail in settled.problems))
    _answer(args.json, answer, text)
    return 0 if settled.ok else 1


def show_command(args: argparse.Namespace) -> int:
    from ..permits import cose, document

    try:
        message = cose.decode_sign1(_signed(read_permit(args.permit)))
        permit = document.decode(message.payload)
    except (OSError, ValueError) as error:  # CoseError and QrTextError are ValueErrors
        print(f"corridor permit show: {error}", file=sys.stderr)
        return 2
    print("NOT VERIFIED (use `corridor permit verify` with a trust file)")
    print(_lines(_summary(permit) | {"key_id": message.kid.hex() if isinstance(message.kid, bytes) else ""}))
    return 0


def qr_command(args: argparse.Namespace) -> int:
    from ..ledger.tiles import write_atomically

    try:
        text = qr.to_text(_signed(read_permit(args.permit)))
    except (OSError, ValueError) as error:
        print(f"corridor permit qr: {error}", file=sys.stderr)
        return 2
    output = Path(args.output)
    write_atomically(output, qr.png(text) if output.suffix.lower() == ".png" else qr.svg(text).encode())
    return 0


def read_permit(source: str) -> str | bytes:
    """QR text or signed bytes from a path, standard input, or the argument itself."""
    if source.startswith(qr.PREFIX):
        return source
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    if data.startswith(IMAGE_MAGIC):
        return qr.read_image(source)
    if b"<svg" in data[:1024]:  # the permit page's picture: no raster to scan, and not the permit's bytes
        raise ValueError(f"{source} is an SVG picture, which is not read here: give the CP1: text shown under the "
                         "code on the permit page, or a PNG or JPEG photo of the code (`corridor permit qr ... "
                         "-o permit.png` makes one)")
    return data.strip() if data.lstrip().startswith(qr.PREFIX.encode()) else data


def _signed(data: str | bytes) -> bytes:
    from ..permits.verify import signed_bytes

    try:
        return signed_bytes(data)
    except Exception as error:  # PermitRejected("permit.unreadable")
        raise ValueError(str(error)) from None


def _summary(permit) -> dict:
    from ..engine.times import format_time

    return {
        "permit": permit.id, "plan": permit.plan, "version": permit.version, "leg": permit.leg,
        "route": permit.route, "checkpoints": list(permit.checkpoints), "vehicle": permit.vehicle,
        "plate": permit.plate, "vehicle_type": permit.vehicle_type,
        "window": [format_time(permit.start), format_time(permit.end)], "tolerance_seconds": permit.tolerance,
        "lines": [f"{line.quantity} {line.unit} {line.item}" for line in permit.lines],
        "consents": list(permit.consents), "log": {"size": permit.log_size, "root": permit.log_root.hex()},
        "issued": format_time(permit.issued), "issuer": permit.issuer,
    }


def _lines(summary: dict) -> str:
    out = []
    for name, value in summary.items():
        if isinstance(value, list) and name == "lines":
            out += [f"  {name}:"] + [f"    {line}" for line in value]
        else:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            out.append(f"  {name}: {shown}")
    return "\n".join(out)


def _answer(as_json: bool, data: dict, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if as_json else text)
