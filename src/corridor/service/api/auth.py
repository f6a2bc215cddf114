"""API authentication: a per-user bearer token (only its SHA-256 is stored). No token: the public.

The token, its user and the user's memberships are read on every request (one query), so a token deleted,
a user deactivated or a role withdrawn stops the next request. One exception keeps that rule while saving
the query where it costs most, the custodial actions (`acting_party_at_commit`): there the request goes on
with what this process last read for the token, and the same facts are read again inside the transaction
that records the statement, for every statement of the group-committed batch in one query, before it is
signed. A token revoked by then refuses the statement (nothing is recorded), as it would have refused the
request; the party acted for is the one the fresh facts give. Any other use of the request's user reads
the token first (`user_of`), so nothing but those actions runs on what was read before.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ...fold import LogFold
from ..ledger.record import Refused, rows_read_with_lock, transaction_memo
from ..parties.authz import role_allows
from ..parties.models import ApiToken

LAST_USED_RESOLUTION = timedelta(minutes=5)  # how stale "last used" may be: not a write per request


def user_of(request):
    """The token's user (looked up once per request); without a token, the signed-in web user or the
    anonymous public. Reads only: acting through the API needs a token (see `acting_party`), so a browser
    session cannot be used to make statements by cross-site request."""
    if not hasattr(request, "_corridor_user") or getattr(request, "_corridor_unchecked", None):
        request._corridor_unchecked = None  # what was kept from an earlier request is read again now
        request._corridor_user = _authenticate(request)
    return request._corridor_user


def _authenticate(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")  # not `request.headers`: that copies every header
    if not header:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused("auth.invalid", "use the header 'Authorization: Bearer <token>'", 401)
    digest = ApiToken.digest_of(token.strip())
    try:
        holder = _token_holder(digest)
    except Refused:
        _kept.pop(digest, None)  # what this process kept of it is no longer true
        raise
    _keep(digest, holder)
    return _use(request, digest, holder)


def _bearer_digest(request) -> str | None:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return ApiToken.digest_of(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


def _use(request, digest: str, holder: tuple):
    """The request acts as the token's holder; its `last_used` stamp is renewed when stale."""
    user, last_used, token_pk, request._corridor_memberships = holder
    now = timezone.now()
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token_pk).update(last_used=now)
        _keep(digest, (user, now, token_pk, holder[3]))
    return user


# -- the custodial actions: the token read again in the recording transaction ---------------------------

KEPT_TOKENS = 10_000  # tokens whose holder this process keeps between requests (emptied when full)
_kept: dict[str, tuple] = {}  # digest -> (user, last_used, token pk, memberships), as last read
_awaiting: collections.Counter[str] = collections.Counter()  # digest -> actions on their way to a transaction
_awaiting_lock = threading.Lock()


def _keep(digest: str, holder: tuple) -> None:
    if len(_kept) >= KEPT_TOKENS and digest not in _kept:
        _kept.clear()
    _kept[digest] = holder


def token_checked_at_commit(request) -> bool:
    """The authentication of the custodial actions: a token this process has read before is not read again
    now, but inside the transaction recording the statement (`acting_party_at_commit`); any other token
    as on every operation (`token_or_public`)."""
    digest = _bearer_digest(request)
    holder = _kept.get(digest) if digest else None
    if holder is None:
        return token_or_public(request)
    request._corridor_user = _use(request, digest, holder)
    request._corridor_unchecked = digest
    return True


def acting_party_at_commit(request, action: str = "sign") -> tuple[str, TokenCheck | None]:
    """`acting_party`, and a check for the builder of the statement it signs (None if the token was read in
    this request): run in the recording transaction, it reads the token again and refuses, as
    `acting_party` would have, unless the token is still valid and gives the same party. Until that check has
    run the party is only what this process read before: nothing may be read or answered for it (an action that
    reads state for its party before recording, as an empty plan.reveal does, uses `acting_party`)."""
    digest = getattr(request, "_corridor_unchecked", None)
    if not digest:
        return acting_party(request, action), None
    wanted = _wanted(request)
    try:
        party = _resolve(request._corridor_memberships, action, wanted)
    except Refused:
        return acting_party(request, action), None  # what was kept refuses: read the token now, as before
    return party, TokenCheck(digest, action, wanted, party)


class TokenCheck:
    """The commit-time check of one action's token. Run the action inside `with check:` (see `awaiting`):
    while it is on its way the token is counted among those the batch's one query reads, and the count is
    released when the check has run or the action ended without reaching it (a body that is not JSON, a
    missing plan id, a batch that failed), so no token rides along in later batches' queries. An action
    refused before its check reads the token then: a token revoked meanwhile is told so (401), not what was
    wrong with its body."""

    def __init__(self, digest: str, action: str, wanted: str | None, party: str):
        self.digest, self.action, self.wanted, self.party = digest, action, wanted, party
        self._counted = self._ran = False

    def __enter__(self) -> TokenCheck:
        _await(self.digest, +1)
        self._counted = True
        return self

    def __exit__(self, kind, error, trace) -> None:
        self._release()
        if isinstance(error, Refused) and not self._ran:
            self._check(_holder_now(self.digest))

    def _release(self) -> None:
        if self._counted:
            self._counted = False
            _await(self.digest, -1)

    def __call__(self, fold: LogFold) -> None:
        self._ran = True
        holder = _holders_now().get(self.digest) or _holder_now(self.digest)
        self._release()
        self._check(holder)

    def _check(self, holder: tuple | None) -> None:
        """Refuse as `acting_party` would have if the token's holder, as read now, does not act as the party."""
        if holder is None:
            _kept.pop(self.digest, None)
            raise Refused("auth.invalid", "this API token is unknown or was revoked", 401)
        _keep(self.digest, holder)
        if _resolve(holder[3], self.action, self.wanted) != self.party:
            raise Refused("auth.forbidden", f"you may not {self.action} as {self.party}", 403)


def awaiting(check: TokenCheck | None):
    """The context an action is recorded in: its token counted for the batch's query while inside."""
    return check if check is not None else contextlib.nullcontext()


def _await(digest: str, change: int) -> None:
    """Count the actions of `digest` awaiting their check (only a hint for `_holders_now`: a token it did
    not read is read on its own). Every count is released (`TokenCheck`); the bound is only a safeguard."""
    with _awaiting_lock:
        if change > 0 and len(_awaiting) >= KEPT_TOKENS // 10:
            _awaiting.clear()
        _awaiting[digest] += change
        if _awaiting[digest] <= 0:
            del _awaiting[digest]


def _holders_now() -> dict[str, tuple]:
    """The holders of every token awaiting its check, read once per recording transaction (one query for
    the batch's statements, whose actions were counted before the batch began), on PostgreSQL with the
    writer lock (`holders_read_with_lock`)."""
    def read() -> dict[str, tuple]:
        rows = rows_read_with_lock(HOLDERS)
        if rows is not None:
            return _holders_of(connections[ApiToken.objects.db], rows)
        return _token_holders(_awaiting_digests())

    return transaction_memo(HOLDERS, read)


HOLDERS = "api-token-holders"


def holders_read_with_lock(plans: list[str]) -> tuple[str, list] | None:
    """The query of `_holders_now`, sent with the writer lock (record.read_with_writer_lock), after the lock's
    statement: a token revoked by a transaction committed before the lock was granted is read as revoked."""
    digests = _awaiting_digests()
    if not digests or ApiToken.objects.db != DEFAULT_DB_ALIAS:  # tokens read where the writer writes
        return None
    return _token_query(DEFAULT_DB_ALIAS, digests)


def _awaiting_digests() -> list[str]:
    with _awaiting_lock:
        return sorted(_awaiting)


def _holder_now(digest: str) -> tuple | None:
    return _token_holders([digest]).get(digest)


def _token_holder(digest: str):
    """The token's user, when it was last used, its id, and the user's memberships as (party, role, party
    kind), read now (401 if the token is unknown, revoked or its user deactivated)."""
    holder = _token_holders([digest]).get(digest)
    if holder is None:
        raise Refused("auth.invalid", "this API token is unknown or was revoked", 401)
    return holder


def _token_holders(digests: list[str]) -> dict[str, tuple]:
    """`_token_holder` of each token still valid, by digest: one query for them all. The query is built by
    the ORM once per process and database, then run as SQL (building it costs more than running it)."""
    if not digests:
        return {}
    connection = connections[ApiToken.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(*_token_query(connection.alias, digests))
        return _holders_of(connection, cursor.fetchall())


def _holders_of(connection, rows: list[tuple]) -> dict[str, tuple]:
    """The holders in the rows of `_token_query`, by digest."""
    user_model = get_user_model()
    fields = [field.attname for field in user_model._meta.concrete_fields]
    by_digest: dict[str, list] = {}
    for row in rows:
        by_digest.setdefault(row[-1], []).append(row)
    return {digest: _holder(connection, user_model, fields, rows) for digest, rows in by_digest.items()}


def _holder(connection, user_model, fields: list[str], rows: list) -> tuple:
    user = user_model.from_db(connection.alias, fields,
                              _converted(connection, user_model, fields, rows[0][:len(fields)]))
    last_used = _converted(connection, ApiToken, ["last_used"], rows[0][len(fields):len(fields) + 1])[0]
    memberships = [tuple(row[-4:-1]) for row in rows if row[-4] is not None]
    return user, last_used, rows[0][len(fields) + 1], memberships


_DIGEST_PLACEHOLDER = "\0digest"
_token_sql: dict[tuple[str, int], tuple[str, tuple]] = {}


def _token_query(alias: str, digests: list[str]) -> tuple[str, list]:
    """The holders' query for this many digests (built once per count: a batch holds a few)."""
    key = (alias, len(digests))
    if key not in _token_sql:
        fields = [field.attname for field in get_user_model()._meta.concrete_fields]
        wanted = [f"{_DIGEST_PLACEHOLDER}{n}" for n in range(len(digests))]
        query = ApiToken.objects.using(alias).filter(digest__in=wanted, user__is_active=True).values_list(
            *(f"user__{name}" for name in fields), "last_used", "pk", "user__memberships__party_id",
            "user__memberships__role", "user__memberships__party__kind", "digest").query
        _token_sql[key] = query.get_compiler(alias).as_sql()
    sql, params = _token_sql[key]
    slots = {f"{_DIGEST_PLACEHOLDER}{n}": digest for n, digest in enumerate(digests)}
    return sql, [slots.get(param, param) if isinstance(param, str) else param for param in params]


def _converted(connection, model, names: list[str], values) -> list:
    """Database values as the model's fields hold them (SQLite returns datetimes as text, for one)."""
    out = []
    for (column, converters), value in zip(_converters(model, tuple(names), connection.alias), values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        out.append(value)
    return out


@functools.cache
def _converters(model, names: tuple[str, ...], alias: str) -> list:
    connection = connections[alias]
    columns = [model._meta.get_field(name).get_col(model._meta.db_table) for name in names]
    return [(column, connection.ops.get_db_converters(column) + column.field.get_db_converters(connection))
            for column in columns]


def acting_party(request, action: str = "sign") -> str:
    """The party the user acts as: `?as=<party>` or their only party with the right to `action`."""
    user = user_of(request)
    if not user.is_authenticated or not request.META.get("HTTP_AUTHORIZATION"):
        raise Refused("auth.required", "sign in with an API token to act for a party", 401)
    return _resolve(request._corridor_memberships, action, _wanted(request))


def _wanted(request) -> str | None:
    # `request.GET` parses the query string into a QueryDict on first use: not for a request without one
    return request.GET.get("as") if request.META.get("QUERY_STRING") else None


def _resolve(memberships: list[tuple], action: str, wanted: str | None) -> str:
    """The party of `memberships` acting for `action`: `wanted`, or the only one allowed."""
    allowed = sorted(party for party, role, kind in memberships if role_allows(role, action, kind))
    if wanted:
        if wanted not in allowed:
            raise Refused("auth.forbidden", f"you may not {action} as {wanted}", 403)
        return wanted
    if len(allowed) == 1:
        return allowed[0]
    if not allowed:
        raise Refused("auth.forbidden", f"your role does not allow '{action}' for any party", 403)
    raise Refused("auth.ambiguous", f"you act for several parties ({', '.join(allowed)}); add ?as=<party>", 400)


def token_or_public(request) -> bool:
    """The API's authentication on every operation: a token, if one is given, must be valid (401
    otherwise); without one the caller is the public and the operation decides what it may do."""
    user_of(request)
    return True
