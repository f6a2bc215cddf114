"""Why a permit is not accepted: one stable code per answer an officer can act on (docs/permits.md)."""

from __future__ import annotations

# code → what the officer is told; the codes are part of the interface (CLI exit, JSON output, the app)
CODES: dict[str, str] = {
    "permit.unreadable": "not a Corridor permit: the QR text, its compression or its CBOR cannot be read",
    "permit.key_unknown": "signed with a key the trust file does not name: treat as forged",
    "permit.forged": "the signature does not match the permit's contents",
    "permit.revoked": ("revoked on the log (its plan amended, rescheduled, refused, withdrawn, cancelled, aborted "
                       "or expired)"),
    "permit.not_yet_valid": "its passage window has not opened",
    "permit.expired": "its passage window has closed",
    "permit.wrong_checkpoint": "not for this checkpoint: its route does not pass here",
}


class PermitRejected(Exception):
    """A permit that must not be honoured; `code` is one of CODES."""

    def __init__(self, code: str, detail: str = "") -> None:
        assert code in CODES, code
        super().__init__(f"{code}: {detail or CODES[code]}")
        self.code = code
        self.detail = detail or CODES[code]
