"""The signature inside an `offline.relay`: a member's passkey signed a statement offline; the operator's
service recorded it, wrapped in a statement of its own (engine/rules/offline.py says what it does).

The relay's own signature is the operator's, checked as any entry's. The statement inside carries its passkey's
assertion, checked here against the key history at the relay's index — the moment the log learns of it, since the
signing time is only the device's word: the key was bound before the relay and not revoked before it, is a passkey
(offline statements are signed on a member's device) of the statement's party, and the assertion passes steps 1-6
and 8 of passkeys.py with the statement's digest as its challenge. Step 7, the signature counter, is not judged
(nor is the count kept): offline assertions arrive out of order by nature, and a replay is stopped otherwise, the
statement's offline id being unique on the log (offline.duplicate).
"""

from __future__ import annotations

from typing import Any

from .envelope import ASSERTION_FIELDS, Assertion, Envelope, EnvelopeError, _strict_b64, statement_digest
from .keys import KeyHistory, KeyRecord
from .passkeys import check_context, check_signature

RELAY = "offline.relay"


def relayed(envelope: Envelope) -> tuple[dict[str, Any], Assertion]:
    """The statement a relay carries and its passkey's assertion (bytes), or entry.malformed."""
    payload = envelope.statement.get("payload")
    inner = payload.get("statement") if isinstance(payload, dict) else None
    signature = payload.get("assertion") if isinstance(payload, dict) else None
    if not isinstance(inner, dict) or not isinstance(inner.get("key"), str) or not isinstance(inner.get("party"), str):
        raise EnvelopeError("entry.malformed", "a relay carries a statement object naming its party and its key")
    if not (isinstance(signature, dict) and set(signature) == ASSERTION_FIELDS
            and all(isinstance(v, str) for v in signature.values())):
        raise EnvelopeError("entry.malformed", "a relay carries the passkey's assertion: 'authenticatorData', "
                            "'clientDataJSON' and 'signature', each a base64 string")
    return inner, Assertion(*(_strict_b64(signature[name]) for name in
                              ("authenticatorData", "clientDataJSON", "signature")))


def check_relayed(history: KeyHistory, index: int, envelope: Envelope, signature: bool = True) -> KeyRecord:
    """The passkey that signed the relayed statement, every check made (`signature=False`: all but step 8, for
    an entry whose signatures were checked when it was recorded)."""
    inner, assertion = relayed(envelope)
    record = history.valid_key(inner["key"], index)
    if record.kind != "passkey":
        raise EnvelopeError("entry.malformed", f"{record.key} is not a passkey: statements signed offline are signed "
                            "with a member's passkey")
    if record.party != inner["party"]:
        raise EnvelopeError("key.party", f"key {record.key} belongs to {record.party}, not {inner['party']}")
    check_context(assertion, statement_digest(inner), history.webauthn)
    if signature:
        check_signature(assertion, record.public)
    return record
