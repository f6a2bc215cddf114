"""`corridor verify`: check a log (tiles directory or URL), or one proof blob, offline.

    corridor verify SOURCE --log-key VKEY [--witness-key VKEY …] [--quorum N] [--tree-only] [--json]
    corridor verify --proof FILE --entry FILE --log-key VKEY [--witness-key VKEY …] [--quorum N]

Keys and policy may also come from a trust file (--trust FILE; see ledger/trustfile.py) with lines
`log VKEY`, `witness VKEY`, `quorum N`, `registrar PARTY BASE64-PUBLIC-KEY` and `webauthn RP_ID ORIGIN`
(where members' passkeys may sign; repeatable). The report says how the entries were signed: by the
registrar, by the server for a party (custodial), by a key a party keeps, or by a member's passkey, and
how many statements members' passkeys signed offline inside the operator's relays (each relay holds both). The
last verified checkpoint of each log is kept in a state file, so the next run also proves the log only
grew. A log is known by its name and key together (its verifier key): two logs may share a name, and only
a log signed with the same key can fork.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path

from ..ledger.audit import SigningSummary
from ..ledger.evidence import EvidenceError, parse_evidence, verify_evidence
from ..ledger.note import NoteError
from ..ledger.trustfile import Trust, read_trust
from ..ledger.verify import Report, Source, VerificationError, verify_trusted


def add(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser("verify", help="verify a log, or a proof of one entry, offline")
    verify.add_argument("source", nargs="?", help="tiles directory or http(s) URL of the log")
    verify.add_argument("--log-key", help="the log's verifier key (signed-note vkey)")
    verify.add_argument("--witness-key", action="append", default=[], help="a trusted witness key; repeatable")
    verify.add_argument("--quorum", type=int, help="cosignatures required from the trusted witnesses")
    verify.add_argument("--trust", help="trust file (log, witness, quorum, registrar and webauthn lines)")
    verify.add_argument("--tree-only", action="store_true", help="check checkpoints, tiles and tree, not entries")
    verify.add_argument("--state", help="where to keep the last verified checkpoint (default: user state dir)")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.add_argument("--proof", help="a .tlog-proof file to check instead of a whole log")
    verify.add_argument("--entry", help="the entry the proof is about (with --proof)")
    verify.set_defaults(handler=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    try:
        trust = load_trust(args)
        result = verify_proof(args, trust) if args.proof else verify_source(args, trust)
    except (VerificationError, EvidenceError, NoteError, OSError, ValueError) as error:
        return fail(args, str(error))
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


def load_trust(args: argparse.Namespace) -> Trust:
    return read_trust(args.trust, args.log_key, args.witness_key, args.quorum)


def verify_source(args: argparse.Namespace, trust: Trust) -> dict:
    if not args.source:
        raise ValueError("name the log to verify (a tiles directory or URL), or give --proof")
    state_path = Path(args.state) if args.state else default_state_path()
    seen = read_state(state_path)
    log = trust.log_key.encode()  # name and key: another log under the same name is not a fork
    previous = seen.get(log)
    report = verify_trusted(Source(args.source), trust,
                            previous and (previous["size"], base64.b64decode(previous["root"])), args.tree_only)
    seen[log] = {"size": report.size, "root": base64.b64encode(report.root).decode()}
    write_state(state_path, seen)
    return summary(report, args.tree_only, previous, report.signing)


def verify_proof(args: argparse.Namespace, trust: Trust) -> dict:
    if not args.entry:
        raise ValueError("--proof needs --entry, the file holding the entry's bytes")
    evidence = parse_evidence(Path(args.proof).read_text())
    checkpoint, opened = verify_evidence(evidence, Path(args.entry).read_bytes(), trust.log_key,
                                         trust.witness_keys, trust.quorum)
    return {"ok": True, "origin": checkpoint.origin, "index": evidence.index, "size": checkpoint.size,
            "witnesses": sorted(s.name for s in opened.verified if s.name != trust.log_key.name)}


def summary(report: Report, tree_only: bool, previous: dict | None, signing: SigningSummary | None = None) -> dict:
    return {
        "ok": True, "origin": report.origin, "size": report.size, "root": base64.b64encode(report.root).decode(),
        "files_checked": report.files_checked, "checkpoints_checked": report.checkpoints_checked,
        "witnesses": report.witnesses, "entries_checked": 0 if tree_only else report.size,
        "consistent_with_previous": None if previous is None else previous["size"],
        "signed": signing.to_json() if signing else None,
    }


SIGNED_BY = {"registrar": "by the operator (registrar)", "custodial": "by the server for the party (custodial)",
             "party": "with a key the party keeps itself", "passkey": "with a member's passkey"}


def render_signing(signed: dict) -> list[str]:
    lines = ["  how the entries were signed:"]
    lines += [f"    {n:>8} {SIGNED_BY[kind]}" for kind, n in signed["kinds"].items() if n]
    lines += ["  per party:"] + [f"    {party}: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items())
                                 for party, kinds in signed["parties"].items()]
    if signed["members"]:
        lines += ["  passkey signatures per member:"] + [f"    {m}: {n}" for m, n in signed["members"].items()]
    offline = signed.get("offline") or {}
    if offline.get("passkey"):
        lines += [f"  {offline['passkey']} statements signed offline by passkeys, relayed by the operator "
                  "(each relay counted above as the operator's):"]
        lines += [f"    {party}: {n}" for party, n in offline["parties"].items()]
        lines += ["  offline passkey signatures per member:"] + [f"    {m}: {n}" for m, n in offline["members"].items()]
    return lines


def render(result: dict) -> str:
    if "index" in result:
        return f"OK: entry {result['index']} is in {result['origin']} at size {result['size']}" + (
            f", cosigned by {', '.join(result['witnesses'])}" if result["witnesses"] else "")
    lines = [f"OK: {result['origin']} — {result['size']} entries, root {result['root']}",
             f"  tile files checked: {result['files_checked']}; checkpoints checked: {result['checkpoints_checked']}"]
    lines.append(f"  {result['entries_checked']} entry signatures checked against the key history"
                 if result["entries_checked"] else "  entries not interpreted (--tree-only)")
    if result.get("signed"):
        lines += render_signing(result["signed"])
    if result["witnesses"]:
        lines.append(f"  cosigned by {', '.join(result['witnesses'])}")
    if result["consistent_with_previous"] is not None:
        lines.append(f"  consistent with the {result['consistent_with_previous']} entries seen last time")
    return "\n".join(lines)


def fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": message}))
    else:
        print(f"FAILED: {message}", file=sys.stderr)
    return 1


def default_state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "corridor" / "verify-state.json"


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def write_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(state, indent=2))
    temp.replace(path)
