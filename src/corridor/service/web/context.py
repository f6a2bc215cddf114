"""Template context every page shares."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def passkeys(request) -> dict:
    """`passkey_parties`: the parties the signed-in user signs for with a passkey bound on the log. Their
    forms carry `data-sign` (the "you are about to sign" dialog); other forms post as they always did.
    Lazy: computed only on pages that show a form."""

    def parties() -> frozenset[str]:
        if not request.user.is_authenticated:
            return frozenset()
        from ..ledger.record import current_fold
        from ..parties.models import Passkey
        from ..parties.passkeys import status_of

        registered = list(Passkey.objects.filter(user=request.user))
        if not registered:  # most users: no passkey, no need for the log's fold
            return frozenset()
        fold = current_fold()
        return frozenset(p.party_id for p in registered if status_of(p, fold).state == "bound")

    return {"passkey_parties": SimpleLazyObject(parties)}


def log_witnessing(request) -> dict:
    """`log_witnessed`: whether witnesses cosign the log's checkpoints (CORRIDOR_WITNESSES). The footer of every
    page says "witnessed" only then: a log without witnesses is signed by its operator alone."""
    from ..config import CONFIG

    return {"log_witnessed": bool(CONFIG.witnesses)}
