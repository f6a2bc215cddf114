"""`corridor permit verify|show|qr`: a passage permit checked offline, read, or drawn as a QR code.

    corridor permit verify PERMIT --trust TRUSTFILE [--revoked LIST] [--checkpoint ID] [--at TIME] [--json]

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
    permit = commands.add_parser("permit", help="verify, show or draw a passage permit (offline)")
    actions = permit.add_subparsers(required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="verify a permit offline with a trust file")
    _input(verify)
    verify.add_argument("--trust", required=True, metavar="FILE", help="trust file with `permit KEY PARTY` lines")
    verify.add_argument("--revoked", metavar="FILE", help="revocation list (permit digests) taken from the log")
    verify.add_argument("--checkpoint", metavar="ID", help="the checkpoint where it is shown (its id)")
    verify.add_argument("--at", metavar="TIME", help="verify as of this RFC 3339 UTC time (default: now)")
    verify.add_argument("--json", action="store_true", help="answer as JSON")
    verify.set_defaults(handler=verify_command)
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
    except (OSError, ValueError, RuleViolation) as error:  # RuleViolation: --at is not an RFC 3339 time
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
