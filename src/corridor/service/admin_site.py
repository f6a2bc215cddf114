"""The Django admin's site: each of its views holds the in-memory fold alone for its whole run.

Django opens the transaction of an admin change, add or delete itself (`changeform_view`, `delete_view`,
bulk actions, `atomic()`), and what runs inside may record (a party or route saved becomes the operator's
statement; a membership removed or demoted revokes passkeys on the log, parties/passkeys.py). The fold must
be taken before the database, never inside a transaction (ledger/fold_access.py): so it is taken here,
around the view, before Django's transaction opens. Operators' admin requests are few; for their short run
pages wait, as they do for any statement recorded."""

from __future__ import annotations

import functools

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class CorridorAdminSite(AdminSite):
    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        @functools.wraps(wrapped)
        def fold_first(request, *args, **kwargs):
            from .ledger.record import fold_before_transaction

            with fold_before_transaction():
                return wrapped(request, *args, **kwargs)

        return fold_first


class CorridorAdminConfig(AdminConfig):
    default_site = "corridor.service.admin_site.CorridorAdminSite"
