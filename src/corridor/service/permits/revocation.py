"""The revocation list: the revoked permits a device could still accept if it did not know of the revocation.

A device refuses a permit whose window, plus the plan's tolerance, has ended, whatever its list says
(permits/verify.py and static/checkpoint-app/permit.js both check the window: `permit.expired`). So, as an
X.509 CRL may drop a certificate once it has expired (RFC 5280 §5), the list holds only the revoked permits
whose end has not passed by the service's clock, less a day's slack for a device whose clock runs behind
the service's: dropping the others changes no device's answer but the code a stale one is refused with
(`permit.expired` rather than `permit.revoked`). What it reads grows with the revoked permits still valid,
never with the log: one range of a partial index (models.IssuedPermit, `issued_permit_revoked_until`)."""

from __future__ import annotations

from django.db.models import QuerySet

from ..passages.projection import at
from .models import IssuedPermit

CLOCK_SLACK = 24 * 3600  # seconds a device's clock may run behind the service's and still find every entry


def listed(now: int) -> QuerySet[IssuedPermit]:
    """The revoked permits a device might still accept at `now` (the service's clock), in the log's order."""
    return (IssuedPermit.objects.filter(revoked_index__isnull=False, valid_until__gte=at(now - CLOCK_SLACK))
            .order_by("revoked_index"))
