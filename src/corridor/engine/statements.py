"""The statement vocabulary: one typed payload per action, and parsing from plain JSON data.

A statement is what a party signs: {"type", "party", "seq", "time", "plan"?, "key"?, "payload"}.
Parsing checks shape and types only; whether the rules allow it is decided in `rules/`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Union

import msgspec

from .errors import refuse
from .model import Capacity, Count, Id, Label, Party, PlanContent, Record, Ref, Route, Sha256Hex, Text
from .quantity import Quantity

RefusalReason = Literal[
    "security",
    "documentation",
    "manifest",
    "dual_use",
    "route_unavailable",
    "timing",
    "conditions_unmet",
    "incident",
    "other",
]
Discrepancy = Literal["missing", "excess", "undeclared", "damaged", "seal_broken"]
Decision = Literal["cleared", "cleared_with_offload", "held", "turned_back"]
# OCHA Access Monitoring and Reporting Framework, the nine access-constraint categories (also used by ACAPS).
AccessCategory = Literal[
    "denial_of_needs",  # denial of the existence of humanitarian needs or entitlements
    "restricted_population_access",  # obstructing people's access to services and assistance
    "restricted_entry",  # restriction of movement into the country (visas, permits)
    "restricted_movement",  # restriction of movement within the country (checkpoints, impediments)
    "interference",  # interference in the implementation of humanitarian activities
    "violence",  # violence against humanitarian personnel, assets and facilities
    "hostilities",  # ongoing hostilities and military operations
    "mines_uxo",  # presence of mines and unexploded ordnance
    "physical_environment",  # terrain, climate, lack of infrastructure
]
Decimal = Annotated[str, msgspec.Meta(pattern=r"^-?\d{1,3}(\.\d{1,8})?$")]
SaltHex = Annotated[str, msgspec.Meta(pattern=r"^(?:[0-9a-f]{2}){8,64}$")]


class LineRef(Record, frozen=True, kw_only=True):
    leg: Ref
    line: Ref


class Consent(Record, frozen=True, kw_only=True):
    version: str
    capacity: Capacity | None = None
    conditions: tuple[Text, ...] = ()


class Refuse(Record, frozen=True, kw_only=True):
    version: str
    reason: str
    text: Text = ""
    lines: tuple[LineRef, ...] = ()


class RequestInfo(Record, frozen=True, kw_only=True):
    request: Id
    question: Text


class Answer(Record, frozen=True, kw_only=True):
    request: Ref
    answer: Text


class Withdraw(Record, frozen=True, kw_only=True):
    reason: str
    text: Text = ""


class Cancel(Record, frozen=True, kw_only=True):
    text: Text = ""


class ProposeSlot(Record, frozen=True, kw_only=True):
    """`window` is a salted commitment to {"start", "end"}: when a convoy moves stays off the public log
    until the requester reveals it (plan.reveal) once the plan is closed."""

    slot: Id
    window: Sha256Hex


class ConfirmSlot(Record, frozen=True, kw_only=True):
    slot: Ref


class DeclineSlot(Record, frozen=True, kw_only=True):
    slot: Ref
    text: Text = ""


class RevealedWindow(Record, frozen=True, kw_only=True):
    slot: Ref
    start: str
    end: str
    salt: SaltHex


class RevealedPlate(Record, frozen=True, kw_only=True):
    leg: Ref
    vehicle: Ref
    plate: Label
    salt: SaltHex


class Reveal(Record, frozen=True, kw_only=True):
    """The requester opens the commitments of a closed plan: its slot's window and its vehicles' plates."""

    window: RevealedWindow | None = None
    plates: tuple[RevealedPlate, ...] = ()


class Arrive(Record, frozen=True, kw_only=True):
    leg: Ref
    checkpoint: Ref


class Finding(Record, frozen=True, kw_only=True):
    line: Ref
    found: Quantity
    codes: tuple[str, ...] = ()


class UndeclaredItem(Record, frozen=True, kw_only=True):
    item: Text
    quantity: Quantity
    unit: Label


class SealCheck(Record, frozen=True, kw_only=True):
    seal: Text
    intact: bool


class SealApplied(Record, frozen=True, kw_only=True, omit_defaults=True):
    """A seal the inspecting party put on after inspecting, on a vehicle of the leg when it names one; later
    checkpoints check it as they check the seals the plan declared. omit_defaults: no `vehicle` key when none."""

    seal: Label
    vehicle: Ref | None = None


class Inspect(Record, frozen=True, kw_only=True):
    leg: Ref
    checkpoint: Ref
    findings: tuple[Finding, ...]
    decision: str
    undeclared: tuple[UndeclaredItem, ...] = ()
    seals: tuple[SealCheck, ...] = ()
    offload: tuple[Ref, ...] = ()
    text: Text = ""
    applied: tuple[SealApplied, ...] = ()


class Go(Record, frozen=True, kw_only=True):
    legs: tuple[Ref, ...] = ()


class Depart(Record, frozen=True, kw_only=True):
    leg: Ref


class Receipt(Record, frozen=True, kw_only=True):
    line: Ref
    good: Quantity
    damaged: Quantity = 0
    lost: Quantity = 0


class Deliver(Record, frozen=True, kw_only=True):
    leg: Ref
    receipts: tuple[Receipt, ...]


class Place(Record, frozen=True, kw_only=True):
    name: Text
    lat: Decimal | None = None
    lon: Decimal | None = None


class ReportIncident(Record, frozen=True, kw_only=True):
    incident: Id
    category: str
    place: Place
    occurred_from: str
    occurred_to: str | None = None
    route: Ref | None = None
    leg: Ref | None = None
    text: Text


class DisputeIncident(Record, frozen=True, kw_only=True):
    incident: Ref
    text: Text


class Note(Record, frozen=True, kw_only=True):
    sha256: str
    kind: Text = "note_verbale"
    title: Text = ""


Day = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class AttestedLine(Record, frozen=True, kw_only=True):
    """One line of an attested passage, as the source gave it.

    `weight_kg` is None when the source gave no weight (a count of pallets, a truck): unknown, never 0, so
    a tonnes figure can say how many records it covers. `published` is the source's row itself: every
    column by the source's own header, as text exactly as written, so what the source published (a WFP
    flag, an income group, a quantity in its own unit) can be re-derived from the log alone. Entries made
    before these fields existed fold unchanged: an explicit `weight_kg: 0` stays 0, a missing `published`
    is empty."""

    item: Text
    category: Text = ""
    quantity: Count
    unit: Label
    weight_kg: Count | None = None
    destination: Label = ""
    published: dict[Label, Text] = msgspec.field(default_factory=dict)


class AttestPassage(Record, frozen=True, kw_only=True):
    """A data source's word that a passage happened (an import): who carried what through where, when.

    Not a consent or an inspection by anyone: the parties that took those steps did not sign them here."""

    passage: Id
    dataset: Label
    reference: Label
    crossing: Label
    carrier: Label = ""
    origin: Label = ""
    departed: Day | None = None
    cleared: Day | None = None
    received: Day | None = None
    lines: tuple[AttestedLine, ...]


class IssuePermit(Record, frozen=True, kw_only=True):
    """The operator's service issued a signed passage permit for one vehicle of a cleared leg (permits/).
    The log carries `digest`, the SHA-256 of the signed permit, never its plate or window; `consents` are
    the log indexes of the consents and slot confirmations it rests on."""

    permit: Id
    leg: Ref
    vehicle: Ref
    version: Sha256Hex
    digest: Sha256Hex
    consents: tuple[Count, ...] = ()


PermitRevocationReason = Literal["amendment", "rescheduled", "withdrawal", "cancellation", "refusal", "other"]


class RevokePermit(Record, frozen=True, kw_only=True):
    permit: Ref
    reason: PermitRevocationReason
    text: Text = ""


OfflineId = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{32}$")]
StdBase64 = Annotated[str, msgspec.Meta(min_length=1, max_length=8192, pattern=r"^[A-Za-z0-9+/]*={0,2}$")]


class OfflineMark(Record, frozen=True, kw_only=True):
    """What marks a statement signed offline: a random id the device draws, unique on the log."""

    id: OfflineId


class OfflineStatement(Record, tag_field="type", kw_only=True):
    """A statement a member's device signed offline (rules/offline.py): a plan statement without `seq` (the
    device cannot know its party's next number), with its own signing `time` and an `offline` mark. It reaches
    the log only inside the operator's `offline.relay`, whose own seq and time say when the log received it."""

    party: Ref
    plan: Ref
    time: datetime
    key: str | None = None
    offline: OfflineMark

    @property
    def type(self) -> str:
        return self.__struct_config__.tag

    def seconds(self) -> int:
        return utc_seconds(self.time)


# what a checkpoint officer records on a device that may be offline: the arrival and the inspection (whose
# decision releases, holds or turns back the vehicle); go and depart are the convoy's orders, online only
OFFLINE_TYPES = ("leg.arrive", "leg.inspect")


class RelayedAssertion(Record, frozen=True, kw_only=True):
    """The passkey's WebAuthn assertion over the offline statement's digest, each part standard base64 (as in
    a passkey-signed log entry); ledger/relay.py checks it against the key history."""

    authenticatorData: StdBase64
    clientDataJSON: StdBase64
    signature: StdBase64


PAYLOADS: dict[str, type[Record]] = {
    "plan.submit": PlanContent,
    "plan.amend": PlanContent,
    "plan.consent": Consent,
    "plan.refuse": Refuse,
    "plan.request_info": RequestInfo,
    "plan.answer": Answer,
    "plan.withdraw": Withdraw,
    "plan.cancel": Cancel,
    "plan.note": Note,
    "plan.reveal": Reveal,
    "slot.propose": ProposeSlot,
    "slot.confirm": ConfirmSlot,
    "slot.decline": DeclineSlot,
    "leg.arrive": Arrive,
    "leg.inspect": Inspect,
    "plan.go": Go,
    "leg.depart": Depart,
    "leg.deliver": Deliver,
    "incident.report": ReportIncident,
    "incident.dispute": DisputeIncident,
    "party.register": Party,
    "route.define": Route,
    "passage.attest": AttestPassage,
    "permit.issue": IssuePermit,
    "permit.revoke": RevokePermit,
    "offline.relay": None,  # type: ignore[dict-item] -- set below, once the offline statements are defined
}
REGISTRY_TYPES = frozenset({"party.register", "route.define"})
PERMIT_TYPES = frozenset({"permit.issue", "permit.revoke"})  # made by the operator's service, like the registry
RELAY_TYPES = frozenset({"offline.relay"})  # the operator's service records what a device signed offline
PLANLESS_TYPES = frozenset({"incident.report", "incident.dispute", "passage.attest"}) | REGISTRY_TYPES
# a clear value where the schema wants a salted commitment: refused with a code that says so
# (`commitment` is a crew member's, seated in a vehicle: legs[].crew[] as {"commitment", "vehicle"})
COMMITTED_FIELDS = {"crew": "crew.not_committed", "commitment": "crew.not_committed", "plate": "plate.not_committed",
                    "window": "window.not_committed"}
QUANTITY_FIELDS = frozenset({"quantity", "weight_kg", "found", "good", "damaged", "lost"})
TIME_FIELDS = frozenset({"time", "start", "end", "occurred_from", "occurred_to", "expires_at"})


Seq = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]


class Statement(Record, tag_field="type", kw_only=True):
    """What a party signs. One subclass per statement type, told apart by the "type" tag, so msgspec
    decodes envelope and typed payload in one pass. `time` is parsed by msgspec's RFC 3339 parser."""

    party: Ref
    seq: Seq
    time: datetime
    key: str | None = None

    @property
    def type(self) -> str:
        return self.__struct_config__.tag

    def seconds(self) -> int:
        """The statement's time in whole seconds since the epoch; refuses a time that is not UTC."""
        return utc_seconds(self.time)


def utc_seconds(moment: datetime) -> int:
    """A statement's time in whole seconds since the epoch; refuses a time that is not UTC."""
    if moment.tzinfo is UTC:  # msgspec gives the UTC singleton for "Z" and "+00:00"
        delta = moment - _EPOCH  # whole seconds without a float (as int(timestamp()) from 1970 on)
        days = delta.days
        if days >= 0:
            return days * 86400 + delta.seconds
        return int(moment.timestamp())
    if moment.utcoffset() != _ZERO:
        raise refuse("time.invalid", f"statement times are UTC (ending in Z), got {moment.isoformat()}")
    return int(moment.timestamp())


class PlanStatement(Statement, kw_only=True):
    plan: Ref


class FreeStatement(Statement, kw_only=True):
    """Statements not about one plan: incident claims and disputes (optionally tied to a plan), the
    operator's registry of parties and routes, and sources' attestations."""

    plan: Ref | None = None


def _statement_class(kind: str, payload: type[Record]) -> type[Statement]:
    base = FreeStatement if kind in PLANLESS_TYPES else PlanStatement
    name = "".join(part.title() for part in kind.replace("_", ".").split(".")) + "Statement"
    return msgspec.defstruct(name, [("payload", payload)], bases=(base,), tag=kind, kw_only=True)


OFFLINE_CLASSES: dict[str, type[OfflineStatement]] = {
    kind: msgspec.defstruct("Offline" + "".join(part.title() for part in kind.split(".")),
                            [("payload", PAYLOADS[kind])], bases=(OfflineStatement,), tag=kind, kw_only=True)
    for kind in OFFLINE_TYPES
}
AnyOffline = Union[tuple(OFFLINE_CLASSES.values())]  # noqa: UP007 -- built from a tuple at run time


class Relay(Record, frozen=True, kw_only=True):
    """`offline.relay`: the operator's service received `statement`, signed offline by `assertion`'s passkey."""

    statement: AnyOffline
    assertion: RelayedAssertion


PAYLOADS["offline.relay"] = Relay
STATEMENT_CLASSES: dict[str, type[Statement]] = {kind: _statement_class(kind, p) for kind, p in PAYLOADS.items()}
AnyStatement = Union[tuple(STATEMENT_CLASSES.values())]  # noqa: UP007 -- built from a tuple at run time


class KeyRegister(Record, frozen=True, kw_only=True):
    """`custodial`: the server keeps the private half and signs for the party (the service sets it)."""

    party: Ref
    public: str
    custodial: bool = False


MemberId = Annotated[str, msgspec.Meta(max_length=192, pattern=r"^[^/]+/[a-z0-9][a-z0-9-]{0,62}$")]
Base64 = Annotated[str, msgspec.Meta(min_length=1, max_length=8192, pattern=r"^[A-Za-z0-9+/]*={0,2}$")]


class KeyBind(Record, frozen=True, kw_only=True):
    """A member's passkey bound to the statement's party: member "<party>/<id>", the WebAuthn credential
    id and its COSE_Key public key (both standard base64); `admin` members may bind and revoke others."""

    member: MemberId
    credential: Base64
    public: Base64
    admin: bool


class KeyRotate(Record, frozen=True, kw_only=True):
    public: str


class KeyRevoke(Record, frozen=True, kw_only=True):
    key: str
    reason: Text = ""


class KeyStatement(Statement, kw_only=True):
    """Key statements (ledger/keys.py decides what they do) have the same envelope and checks as every
    other statement, and no `plan`: they belong to no plan's timeline."""


KEY_PAYLOADS: dict[str, type[Record]] = {"key.register": KeyRegister, "key.bind": KeyBind, "key.rotate": KeyRotate,
                                         "key.revoke": KeyRevoke}
KEY_STATEMENT_CLASSES: dict[str, type[Statement]] = {
    kind: msgspec.defstruct("".join(part.title() for part in kind.split(".")) + "Statement", [("payload", payload)],
                            bases=(KeyStatement,), tag=kind, kw_only=True)
    for kind, payload in KEY_PAYLOADS.items()
}
AnyKeyStatement = Union[tuple(KEY_STATEMENT_CLASSES.values())]  # noqa: UP007 -- built from a tuple at run time
_ZERO = timedelta(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DECODER = msgspec.json.Decoder(AnyStatement)


def parse_statement(raw: dict[str, Any]) -> Statement:
    """Check a statement's shape and types; raise RuleViolation with a precise path on any defect."""
    return _convert(raw, STATEMENT_CLASSES, AnyStatement)


def parse_key_statement(raw: dict[str, Any]) -> Statement:
    """The same strict check for key.register, key.bind, key.rotate and key.revoke."""
    return _convert(raw, KEY_STATEMENT_CLASSES, AnyKeyStatement)


def _convert(raw: dict[str, Any], classes: dict[str, type[Statement]], union: object) -> Statement:
    """`msgspec.convert` to the class the statement's "type" names, or to the whole tagged union when it names
    none (the union's refusal then says why). The same records and refusals as the union alone (tests/engine/
    test_parse_paths.py), ~20x faster: converting to a union of 26 classes cost ~60 µs a statement, under
    the service's writer lock for every statement it signs."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    target = classes.get(kind, union) if isinstance(kind, str) else union
    try:
        return msgspec.convert(raw, type=target, strict=True)
    except msgspec.ValidationError as error:
        raise _translate(str(error)) from None


def parse_statement_json(data: bytes) -> Statement:
    """The same from JSON bytes (as stored in the log), decoding straight into typed records."""
    try:
        return _DECODER.decode(data)
    except msgspec.ValidationError as error:
        raise _translate(str(error)) from None
    except msgspec.DecodeError as error:
        raise refuse("statement.malformed", f"not valid JSON: {error}") from None


_PATH_FIELD = re.compile(r"`\$[^`]*?\.?([A-Za-z_]+)(?:\[\d+\])?`$")


def _clear_value(message: str) -> bool:
    """A commitment field given something else than 64 hex digits (text, or a person as an object)."""
    return ("matching regex" in message or "got `object`" in message or "unknown field `name`" in message
            or "unknown field `document`" in message) and "plates[" not in message


def _translate(message: str) -> Exception:
    """Map msgspec's message ('Expected `int`, got `float` - at `$.x`') onto our stable codes."""
    if message.startswith("Invalid value") and message.endswith("at `$.type`"):
        return refuse("statement.unknown_type", f"unknown statement type: {message}")
    if message.startswith("Invalid value") and message.endswith("at `$.payload.statement.type`"):
        return refuse("offline.kind", f"only {' and '.join(OFFLINE_TYPES)} may be signed offline: {message}")
    field = _PATH_FIELD.search(message)
    if field and field.group(1) in QUANTITY_FIELDS:
        return refuse("quantity.invalid", "quantities are whole numbers (20) or decimal strings with a point and no "
                                          f"trailing zero (\"2.5\"), never floats; weights whole kilograms: {message}")
    if field and field.group(1) in COMMITTED_FIELDS and _clear_value(message):
        return refuse(COMMITTED_FIELDS[field.group(1)],
                      f"{field.group(1)} is a salted commitment (64 hex digits), never a clear value: {message}")
    if field and field.group(1) in TIME_FIELDS:
        return refuse("time.invalid", f"times are RFC 3339 UTC strings like 2023-09-18T07:00:00Z: {message}")
    if "got `float`" in message:
        return refuse("value.float", f"floats are not allowed in statements: {message}")
    return refuse("statement.malformed", message)
