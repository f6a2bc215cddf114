"""The trust file: what a verifier or an auditor takes on trust about a log, one fact a line.

    log VKEY                       the log's verifier key (signed-note vkey); the last one counts
    witness VKEY                   a trusted witness (repeatable)
    quorum N                       cosignatures required from the trusted witnesses (default 0)
    registrar PARTY BASE64-KEY     the operator that registers every other key (repeatable)
    webauthn RP_ID ORIGIN          where members' passkeys may sign (repeatable)

Blank lines and lines starting with # are skipped. Pure: `corridor verify`, `corridor audit` and the
briefings all read trust through `parse_trust`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path

from .note import Verifier, parse_verifier
from .passkeys import WebAuthnPolicy


@dataclass
class Trust:
    log_key: Verifier
    witness_keys: list[Verifier] = field(default_factory=list)
    quorum: int = 0
    registrars: list[tuple[str, bytes]] = field(default_factory=list)
    webauthn: WebAuthnPolicy = field(default_factory=WebAuthnPolicy)

    @property
    def registrar(self) -> tuple[str, bytes]:
        """The operator whose key registers every other key: the one a fold of the log starts from."""
        if not self.registrars:
            raise ValueError("the trust file names no registrar (a `registrar PARTY KEY` line): the entries "
                             "cannot be interpreted without it")
        return self.registrars[0]


def parse_trust(text: str, log_key: str | None = None, witness_keys: list[str] = (),
                quorum: int | None = None) -> Trust:
    """The trust file's lines; `log_key`, `witness_keys` and `quorum` (from the command line) add to them
    or override them. Raises ValueError, with a message a person can act on, for anything malformed."""
    words = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    log_keys = [_second(w) for w in words if w[0] == "log"] + ([log_key] if log_key else [])
    if not log_keys:
        raise ValueError("give the log's key with --log-key or a `log` line in --trust")
    quorum_lines = [w for w in words if w[0] == "quorum"]
    return Trust(
        log_key=parse_verifier(log_keys[-1]),
        witness_keys=[parse_verifier(k) for k in [_second(w) for w in words if w[0] == "witness"] + list(witness_keys)],
        quorum=quorum if quorum is not None else (_quorum(quorum_lines[0]) if quorum_lines else 0),
        registrars=[_registrar(w) for w in words if w[0] == "registrar"],
        webauthn=WebAuthnPolicy.of([_webauthn(w) for w in words if w[0] == "webauthn"]),
    )


def read_trust(path: str | Path | None, log_key: str | None = None, witness_keys: list[str] = (),
               quorum: int | None = None) -> Trust:
    """`parse_trust` of a file (none: only the command line's keys)."""
    return parse_trust(Path(path).read_text() if path else "", log_key, witness_keys, quorum)


def _second(words: list[str]) -> str:
    if len(words) != 2:
        raise ValueError(f"a `{words[0]}` line holds one value, not {' '.join(words)!r}")
    return words[1]


def _quorum(words: list[str]) -> int:
    value = _second(words)
    if not value.isdigit():
        raise ValueError(f"a quorum is a whole number, not {value!r}")
    return int(value)


def _registrar(words: list[str]) -> tuple[str, bytes]:
    if len(words) != 3:
        raise ValueError(f"a registrar line is `registrar PARTY BASE64-KEY`, not {' '.join(words)!r}")
    try:
        return words[1], base64.b64decode(words[2], validate=True)
    except binascii.Error:
        raise ValueError(f"the registrar key {words[2]!r} is not base64") from None


def _webauthn(words: list[str]) -> tuple[str, str]:
    if len(words) != 3 or not words[2].startswith(("https://", "http://")):
        raise ValueError(f"a webauthn line is `webauthn RP_ID ORIGIN`, not {' '.join(words)!r}")
    return words[1], words[2]
