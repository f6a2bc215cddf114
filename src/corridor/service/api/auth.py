"""API authentication: a per-user bearer token (only its SHA-256 is stored). No token: the public."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ..ledger.record import Refused
from ..parties.authz import parties_for
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
    header = request.headers.get("Authorization", "")
    if not header:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused("auth.invalid", "use the header 'Authorization: Bearer <token>'", 401)
    found = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token.strip())).first()
    if found is None or not found.user.is_active:
        raise Refused("auth.invalid", "this API token is unknown or was revoked", 401)
    now = timezone.now()
    if found.last_used is None or now - found.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used=now)
    return found.user


def _parties(request, user, action: str) -> list[str]:
    cache = request.__dict__.setdefault("_corridor_parties", {})
    if action not in cache:
        cache[action] = parties_for(user, action)
    return cache[action]


def acting_party(request, action: str = "sign") -> str:
    """The party the user acts as: `?as=<party>` or their only party with the right to `action`."""
    user = user_of(request)
    if not user.is_authenticated or not request.headers.get("Authorization"):
        raise Refused("auth.required", "sign in with an API token to act for a party", 401)
    allowed = _parties(request, user, action)
    wanted = request.GET.get("as")
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
