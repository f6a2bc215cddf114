"""Authorisation in one place: what each role may do, and `visible_to(user, action)`.

Roles are per party. Every statement a user makes is made as one of their parties, so a party only ever
acts as itself. What is public (no sign-in) is what the public log holds anyway, minus what is private:
crew in clear, and movement windows before the movement is over. A party's private objects are visible
to the parties of that passage; to anyone else they answer 404, as if they did not exist.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Membership

# Actions: "view" (public read models), "view_private" (crew, windows, private attachments of passages
# one's party takes part in), "sign" (make statements as the party), "import" (manifests, data sources),
# "manage" (the party's users, tokens and keys).
ACTIONS = ("view", "view_private", "sign", "import", "manage")
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "public": frozenset({"view"}),
    "viewer": frozenset({"view", "view_private"}),
    "officer": frozenset({"view", "view_private", "sign", "import"}),
    "admin": frozenset({"view", "view_private", "sign", "import", "manage"}),
}
# Observers (mediators) read everything that is not private and act on nothing, whatever their role.
OBSERVER_ACTIONS = frozenset({"view"})


def role_allows(role: str, action: str, party_kind: str) -> bool:
    allowed = ROLE_ACTIONS.get(role, frozenset())
    if party_kind == "observer":
        allowed = allowed & OBSERVER_ACTIONS
    return action in allowed


def parties_for(user, action: str) -> list[str]:
    """The parties on whose behalf `user` may take `action`."""
    if user is None or not user.is_authenticated:
        return []
    memberships = Membership.objects.filter(user=user).select_related("party")
    return sorted(m.party_id for m in memberships if role_allows(m.role, action, m.party.kind))


def admin_of(user) -> list[str]:
    """The parties whose admin role `user` holds (whatever their kind): they watch what is signed in its name."""
    if user is None or not user.is_authenticated:
        return []
    return sorted(Membership.objects.filter(user=user, role="admin").values_list("party_id", flat=True))


def is_admin(user, party: str) -> bool:
    return party in admin_of(user)


def can(user, party: str, action: str) -> bool:
    return party in parties_for(user, action)


def visible_to(user, action: str) -> Q:
    """A filter on plans: which plans `user` may see or act on for `action`.

    "view" is everything (the log is public); "view_private" and "sign" are the plans one of the user's
    parties takes part in (as requester or as a party whose consent the plan needs). Each plan is checked by
    its own positions, never against every position the parties have (a set that grows with the log): meant
    for plans already narrowed, by key or a page read off an index."""
    if action == "view":
        return Q()
    parties = parties_for(user, action)
    if not parties:
        return Q(pk__in=[])
    from ..passages import selection
    from ..passages.models import Position

    return Q(requester_id__in=parties) | selection.each(Position.objects.filter(party_id__in=parties))
