"""Statements signed offline, on a member's device, and recorded once it is back online.

A device without a network knows neither its party's next sequence number nor the log's clock, so what it signs
carries no `seq`, its own signing time, and a random `offline` id. The operator's service records it inside an
`offline.relay`, numbered and dated by the operator: the relay's time is when the log received it. The rule for a
relay, deterministic on replay:

- the relay and the statement name the same plan, one the log knows; the offline id is new on the log
  (offline.duplicate otherwise); the signer is a registered party that may act (not an observer, operator or
  source); the statement is not signed later than received + MAX_SKEW_SECONDS (offline.future). Any of these
  refuses the relay: nothing is recorded.
- otherwise the relay is recorded, and the statement judged by its kind's own rule (arrive, inspect) against the
  state as the log stands when it arrives, its own events dated when it was signed (never after it was received).
  If it was signed more than MAX_AGE_SECONDS before it arrived, or if that rule refuses it (the plan was
  cancelled meanwhile, the leg was already released, ...), it stays on the log as evidence and has no effect:
  `State.offline` keeps a late.* code for it, with the rule's own code and words.

Its party's sequence numbers are untouched: the statement has none, and the relay is the operator's.

An offline id is remembered for RETENTION_SECONDS after its relay was received, then forgotten (`State.offline`
would otherwise grow with every relay, for ever). A statement is signed at most MAX_SKEW_SECONDS after it is
received, so a later relay of the same id is signed more than MAX_AGE_SECONDS before it arrives: it can only be
recorded as `late.too_old`, with no effect, whether or not the id is remembered. Records are forgotten at each
relay recorded, by the relay's time (the log's clock, which never goes back), never by the wall clock: every
replay, from the start or from a snapshot, keeps the same ones. Whether an id counts as known depends only on
that time (`remembered`), not on when records were last forgotten.
"""

from __future__ import annotations

from ..errors import RuleViolation, refuse
from ..state import OfflineRecord, State
from ..statements import OfflineStatement, Statement
from ..times import format_time
from . import movement

MAX_SKEW_SECONDS = 300  # as engine/apply.py's: a device clock a little ahead is tolerated, no more
MAX_AGE_SECONDS = 72 * 3600
RETENTION_SECONDS = MAX_AGE_SECONDS + MAX_SKEW_SECONDS  # an offline id is a duplicate this long after its relay
RULES = {"leg.arrive": movement.arrive, "leg.inspect": movement.inspect}
# What a relayed statement that took no effect keeps: not refusals (the relay is recorded), so not in CODES.
LATE: dict[str, str] = {
    "late.too_old": "Signed offline more than 72 hours before the log received it: recorded, with no effect.",
    "late.plan_closed": "The plan closed (cancelled, expired, completed, aborted) before the log received this "
                        "offline statement: recorded, with no effect.",
    "late.state_changed": "The leg or plan had moved on before the log received this offline statement (e.g. the "
                          "leg was already released): recorded, with no effect.",
    "late.refused": "The rules refuse this offline statement as the log stands when it arrives: recorded, with no "
                    "effect (the rule's own code says why).",
}
# the rules' codes for "something happened meanwhile"; any other refusal is late.refused
LATE_CODES = {"plan.closed": "late.plan_closed", "plan.expired": "late.plan_closed",
              "state.wrong": "late.state_changed", "version.stale": "late.state_changed",
              "barrier.not_ready": "late.state_changed"}
ACTING_KINDS = frozenset({"humanitarian", "authority", "escort"})


def relay(state: State, st: Statement, now: int) -> None:
    inner: OfflineStatement = st.payload.statement
    _check(state, st, inner, now)
    _forget_expired(state.offline, now)
    signed = inner.seconds()
    record = OfflineRecord(party=inner.party, type=inner.type, plan=inner.plan, signed=signed, received=now,
                           relay=st.seq)
    if signed < now - MAX_AGE_SECONDS:
        record.code, record.reason = "late.too_old", f"signed {format_time(signed)}, received {format_time(now)}: " \
                                                     f"more than {MAX_AGE_SECONDS // 3600} hours late"
    else:
        try:
            RULES[inner.type](state, inner, min(signed, now))  # a rule changes nothing when it refuses
        except RuleViolation as violation:
            record.code = LATE_CODES.get(violation.code, "late.refused")
            record.rule, record.reason = violation.code, violation.message
    state.offline[inner.offline.id] = record


def _check(state: State, st: Statement, inner: OfflineStatement, now: int) -> None:
    if inner.plan != st.plan:
        raise refuse("offline.mismatch", f"the relay is about plan {st.plan!r}, the statement about {inner.plan!r}")
    if inner.plan not in state.plans:
        raise refuse("plan.unknown", f"there is no plan {inner.plan!r}")
    known = state.offline.get(inner.offline.id)
    if known is not None and remembered(known, now):
        raise refuse("offline.duplicate", f"offline statement {inner.offline.id} is already on the log")
    party = state.parties.get(inner.party)
    if party is None:
        raise refuse("party.unknown", f"no party {inner.party!r} is registered")
    if party.kind not in ACTING_KINDS:
        code = "party.observer" if party.kind == "observer" else "party.role"
        raise refuse(code, f"{party.name} is a party of kind {party.kind}; it records no arrival or inspection")
    if inner.seconds() > now + MAX_SKEW_SECONDS:
        raise refuse("offline.future", f"signed {format_time(inner.seconds())}, later than the log's clock "
                     f"{format_time(now)} allows ({MAX_SKEW_SECONDS}s)")


def remembered(record: OfflineRecord, now: int) -> bool:
    """Whether a relay at `now` of the same offline id is a duplicate (refused) rather than a statement
    too old to take effect (see above)."""
    return record.received >= now - RETENTION_SECONDS


def _forget_expired(offline: dict[str, OfflineRecord], now: int) -> None:
    """Drop the records no relay at `now` or later needs. They are in the order their relays were recorded,
    so by time received: the expired ones come first, and the scan stops at the first one still remembered."""
    expired = []
    for mark, record in offline.items():
        if remembered(record, now):
            break
        expired.append(mark)
    for mark in expired:
        del offline[mark]
