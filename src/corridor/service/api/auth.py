"""API authentication: a per-user bearer token (only its SHA-256 is stored). No token: the public."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.utils import timezone

from ..ledger.record import Refused
from ..parties.authz import role_allows
from ..parties.models import ApiToken

LAST_USED_RESOLUTION = timedelta(minutes=5)  # how stale "last used" may be: not a write per request


def user_of(request):
    """The token's user (looked up once per request); without a token, the signed-in web user or the
    anonymous public. Reads only: acting through the API needs a token (see `acting_party`), so a browser
    session cannot be used to make statements by cross-site request."""
    if not hasattr(request, "_corridor_user"):
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
    user, last_used, token_pk, request._corridor_memberships = _token_holder(ApiToken.digest_of(token.strip()))
    now = timezone.now()
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token_pk).update(last_used=now)
    return user


def _token_holder(digest: str):
    """The token's user, when it was last used, its id, and the user's memberships as (party, role, party
    kind): one query on every request, never a cache, so a token deleted, a user deactivated or a role
    withdrawn stops acting at once. The query is built by the ORM once per process and database, then run
    as SQL (building it costs more than running it)."""
    user_model = get_user_model()
    fields = [field.attname for field in user_model._meta.concrete_fields]
    connection = connections[ApiToken.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(*_token_query(connection.alias, digest))
        rows = cursor.fetchall()
    if not rows:
        raise Refused("auth.invalid", "this API token is unknown or was revoked", 401)
    user = user_model.from_db(connection.alias, fields,
                              _converted(connection, user_model, fields, rows[0][:len(fields)]))
    last_used = _converted(connection, ApiToken, ["last_used"], rows[0][len(fields):len(fields) + 1])[0]
    memberships = [tuple(row[-3:]) for row in rows if row[-3] is not None]
    return user, last_used, rows[0][len(fields) + 1], memberships


_DIGEST_PLACEHOLDER = "\0digest"
_token_sql: dict[str, tuple[str, tuple]] = {}


def _token_query(alias: str, digest: str) -> tuple[str, list]:
    if alias not in _token_sql:
        fields = [field.attname for field in get_user_model()._meta.concrete_fields]
        query = ApiToken.objects.using(alias).filter(digest=_DIGEST_PLACEHOLDER, user__is_active=True).values_list(
            *(f"user__{name}" for name in fields), "last_used", "pk", "user__memberships__party_id",
            "user__memberships__role", "user__memberships__party__kind").query
        _token_sql[alias] = query.get_compiler(alias).as_sql()
    sql, params = _token_sql[alias]
    return sql, [digest if param == _DIGEST_PLACEHOLDER else param for param in params]


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


def _parties(request, user, action: str) -> list[str]:
    """`parties_for(user, action)` from the memberships read with the token (see `_token_holder`)."""
    return sorted(party for party, role, kind in request._corridor_memberships if role_allows(role, action, kind))


def acting_party(request, action: str = "sign") -> str:
    """The party the user acts as: `?as=<party>` or their only party with the right to `action`."""
    user = user_of(request)
    if not user.is_authenticated or not request.META.get("HTTP_AUTHORIZATION"):
        raise Refused("auth.required", "sign in with an API token to act for a party", 401)
    allowed = _parties(request, user, action)
    # `request.GET` parses the query string into a QueryDict on first use: not for a request without one
    wanted = request.GET.get("as") if request.META.get("QUERY_STRING") else None
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
