"""Reads of the read models on a PostgreSQL streaming replica (`DATABASE_REPLICA_URL`), everything else on
the primary.

Only GET/HEAD/OPTIONS requests may read from the replica, only for the read models (the tables the log
derives, and the private values recorded beside them), and only outside a transaction. So the replica never
sees:
- `record()` and any transaction: every read inside `transaction.atomic()` goes to the primary, where the
  writer lock and the rows it reads are;
- the writer's fold and catch-up: `LogEntry` (and the tree, checkpoints) are read from the primary only,
  in every process and command;
- authentication and authority: sessions, users, memberships, API tokens, passkeys and party keys are read
  from the primary, so a revoked token, membership or key stops working at once, whatever the replica's lag;
- workers and commands: the router sends a read to the replica only inside a request this module's
  middleware let through, so nothing outside a web request ever reads there.

Read-your-writes. Every request with another method (a write) answers with the primary's WAL position after
it (`Corridor-LSN` header, and the `corridor_lsn` cookie browsers send back). A request that carries one reads
from the replica only if the replica has replayed at least that far, else from the primary: a user sees
their own statement on the very next page, however far the replica trails. A request with an API token and
no position reads from the primary (scripts seldom keep cookies; one that sends `Corridor-LSN` back uses the
replica like anyone). Positions are signed with the secret key: a forged one (say, far in the future, to
push every read of one's own onto the primary) is ignored, and a genuine one only ever pins the reads of
the client that wrote until the replica has caught up.

Health. At most once a second per process the primary's WAL position is sampled and the replica asked how
far it has replayed and when its last replayed transaction committed. The replica serves only while it
answers, is still a standby, and lags at most `CORRIDOR_REPLICA_MAX_LAG` seconds (`ReplicaHealth.staleness`);
otherwise reads go to the primary and the change is logged (`corridor.replica`), and back again when it
recovers. The look runs under a process lock: with one request at a time per process (`--threads 1`)
nothing waits on it, and an unreachable replica costs one connect timeout (2 s) every 5 s.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections

PRIMARY, REPLICA = "default", "replica"
LSN_HEADER, LSN_COOKIE = "Corridor-LSN", "corridor_lsn"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHECK_INTERVAL = 1.0  # seconds between two looks at the replica (per process)
RETRY_INTERVAL = 5.0  # seconds before trying an unreachable replica again
# Private values recorded in the same transaction as the plan they belong to: read models too, though the
# log holds only their commitments (so they are not `derived_from_log`).
PRIVATE_READ_MODELS = frozenset({"passages.crewmember", "passages.slotwindow", "passages.vehicleplate"})
# Derived from the log, but they decide who may sign: read where revocations are, at once.
AUTHORITY_MODELS = frozenset({"parties.partykey"})

log = logging.getLogger("corridor.replica")


def configured() -> bool:
    return REPLICA in settings.DATABASES


def serves_reads_of(model) -> bool:
    """Whether a read of `model` may be answered by the replica at all."""
    label = model._meta.label_lower
    if label in AUTHORITY_MODELS:
        return False
    return getattr(model, "derived_from_log", False) is True or label in PRIVATE_READ_MODELS


# ---- WAL positions ("16/B374D848": two hexadecimal halves of a 64-bit byte position) ----

def parse_lsn(text: str | None) -> int | None:
    high, slash, low = (text or "").strip().partition("/")
    if not slash or not 0 < len(high) <= 8 or not 0 < len(low) <= 8:
        return None
    try:
        return int(high, 16) << 32 | int(low, 16)
    except ValueError:
        return None


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


_positions = signing.Signer(salt="corridor.replica.position")


def issue_position(position: int) -> str:
    """What a write's answer carries: the position, signed (`16/B374D848:<signature>`)."""
    return _positions.sign(format_lsn(position))


def read_position(text: str | None) -> int | None:
    """A position this service issued, or None (absent, malformed, or not signed by us)."""
    try:
        return parse_lsn(_positions.unsign(text or ""))
    except signing.BadSignature:
        return None


def _ask(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def primary_lsn() -> int:
    """Where the primary's WAL ends now: past the commit record of everything committed so far (the insert
    position, not the write position, which trails it under `synchronous_commit = off`)."""
    return parse_lsn(_ask(PRIMARY, "SELECT pg_current_wal_insert_lsn()::text")[0])


@dataclass(frozen=True)
class Replayed:
    in_recovery: bool  # still a standby
    position: int | None  # how far it has replayed the primary's WAL
    commit_time: float | None  # when the last transaction it replayed committed on the primary (Unix time)


def replica_state() -> Replayed:
    in_recovery, replayed, commit_time = _ask(
        REPLICA, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                 "extract(epoch FROM pg_last_xact_replay_timestamp())::float8")
    return Replayed(in_recovery, parse_lsn(replayed), commit_time)


# ---- Health: may the replica serve reads now? ----

@dataclass
class _Look:
    usable: bool
    reason: str
    replayed: int | None = None


class ReplicaHealth:
    """Samples (time, primary position) and the replica's replay position and last replayed commit; see
    `staleness`. One per process, shared by its threads."""

    def __init__(self, max_lag: float, clock: Callable[[], float] = time.monotonic,
                 primary: Callable[[], int] = primary_lsn, replica: Callable[[], Replayed] = replica_state,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.max_lag, self._clock, self._primary, self._replica = max_lag, clock, primary, replica
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._samples: deque[tuple[float, int]] = deque(maxlen=128)
        self._look = _Look(False, "not checked yet")
        self._logged: bool | None = None  # whether the replica served at the last logged change
        self._next_check = 0.0

    def serves(self, seen_lsn: int | None) -> bool:
        """Whether this request's reads may go to the replica: it is healthy and, if the client wrote
        something, has replayed at least that far (one fresh look if the last one had not)."""
        look = self._current()
        if not look.usable:
            return False
        if seen_lsn is None or (look.replayed or 0) >= seen_lsn:
            return True
        try:
            replayed = self._replica().position
        except DatabaseError:
            return False  # the next periodic look logs it
        return replayed is not None and replayed >= seen_lsn

    def _current(self) -> _Look:
        with self._lock:
            now = self._clock()
            if now >= self._next_check:
                look = self._check(now)
                self._next_check = now + (CHECK_INTERVAL if look.usable or look.replayed is not None
                                          else RETRY_INTERVAL)
                if look.usable != self._logged:
                    _log_change(look)
                    self._logged = look.usable
                self._look = look
            return self._look

    def _check(self, now: float) -> _Look:
        try:
            self._samples.append((now, self._primary()))
        except DatabaseError as error:
            return _Look(False, f"the primary did not say its WAL position ({error})")
        try:
            state = self._replica()
        except DatabaseError as error:
            if configured():
                with contextlib.suppress(DatabaseError):
                    connections[REPLICA].close()  # reconnect on the next look
            return _Look(False, f"unreachable ({str(error).strip()})")
        if not state.in_recovery:
            return _Look(False, "it is not a standby any more (promoted?): it may have diverged from the primary")
        if state.position is None:
            return _Look(False, "it has not replayed any WAL yet", None)
        staleness = self.staleness(now, state)
        if staleness > self.max_lag:
            return _Look(False, f"it lags more than {self.max_lag:g} s behind the primary "
                                f"(replayed {format_lsn(state.position)})", state.position)
        return _Look(True, f"at most {staleness:.1f} s behind the primary", state.position)

    def staleness(self, now: float, state: Replayed) -> float:
        """How old, at most, the replica's copy is: 0 if it has replayed the primary's position sampled just
        now; else the time since the newest sample it has replayed or since the last commit it replayed,
        whichever is more recent (the commit's time is exact where this process's samples are sparse: a
        process that looked a minute ago would otherwise see a commit in flight as a minute's lag)."""
        newest = self._samples[-1][1] if self._samples else None
        if newest is not None and state.position >= newest:
            return 0.0
        replayed_sample = next((now - at for at, position in reversed(self._samples) if position <= state.position),
                               float("inf"))
        replayed_commit = (max(0.0, self._wall_clock() - state.commit_time) if state.commit_time is not None
                           else float("inf"))
        return min(replayed_sample, replayed_commit)


def _log_change(look: _Look) -> None:
    if look.usable:
        log.info("read replica serves read-model reads: %s", look.reason)
    else:
        log.warning("read replica not used, reads go to the primary: %s", look.reason)


_health: ReplicaHealth | None = None
_health_lock = threading.Lock()


def health() -> ReplicaHealth:
    global _health
    with _health_lock:
        if _health is None:
            from .config import CONFIG

            _health = ReplicaHealth(CONFIG.replica_max_lag)
        return _health


def reset_health(replacement: ReplicaHealth | None = None) -> None:
    """Forget what this process knows of the replica (tests; a new health with another bound)."""
    global _health
    with _health_lock:
        _health = replacement


# ---- Per request: the router's decision ----

@dataclass
class _RequestReads:
    seen_lsn: int | None  # the client's own last write, if it told us
    alias: str | None = None  # decided at the request's first read-model read, then kept


_request: contextvars.ContextVar[_RequestReads | None] = contextvars.ContextVar("replica_reads", default=None)


@contextlib.contextmanager
def replica_reads(seen_lsn: int | None = None) -> Iterator[None]:
    """Let read-model reads in this block go to the replica (what the middleware does for a GET)."""
    token = _request.set(_RequestReads(seen_lsn))
    try:
        yield
    finally:
        _request.reset(token)


class ReplicaRouter:
    """Django database router: writes and migrations on the primary; reads as the module's docstring says."""

    def db_for_read(self, model, **hints) -> str:
        reads = _request.get()
        if reads is None or not serves_reads_of(model) or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if reads.alias is None:
            reads.alias = REPLICA if health().serves(reads.seen_lsn) else PRIMARY
        return reads.alias

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, first, second, **hints) -> bool:
        return True  # one database and its copy: rows relate whichever of the two they were read from

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """GET/HEAD/OPTIONS may read from the replica (see `may_read_replica`); any other method is a write,
    and its answer tells the client the primary's position after it, to read its own writes."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            _tell_position(response)
            return response
        if not may_read_replica(request):
            return self.get_response(request)
        with replica_reads(seen_position(request)):
            return self.get_response(request)


def seen_position(request) -> int | None:
    """The furthest position of the client's own writes it sent back (header or cookie), if any."""
    positions = [read_position(request.headers.get(LSN_HEADER)), read_position(request.COOKIES.get(LSN_COOKIE))]
    return max((p for p in positions if p is not None), default=None)


def may_read_replica(request) -> bool:
    """An API token without a position reads from the primary: it may have just written without keeping
    the cookie (see the module's docstring)."""
    return not request.headers.get("Authorization") or seen_position(request) is not None


def _tell_position(response) -> None:
    try:
        position = issue_position(primary_lsn())
    except DatabaseError as error:  # the write's own answer already says what went wrong
        log.warning("could not read the primary's WAL position after a write: %s", error)
        return
    response[LSN_HEADER] = position
    response.set_cookie(LSN_COOKIE, position, max_age=max(60, int(health().max_lag * 6)), httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
