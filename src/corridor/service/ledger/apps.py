from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "corridor.service.ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The projection steps `record()` runs for each entry, in this order."""
        from ..api.auth import HOLDERS, holders_read_with_lock
        from ..incidents.projection import project_incidents
        from ..outbox.notify import (
            CONTACTS,
            DEADLINES,
            contacts_read_with_lock,
            deadlines_read_with_lock,
            queue_notifications,
            queue_signed,
        )
        from ..parties.projection import project_registry
        from ..passages.private import check_go, reveal_on_close
        from ..passages.projection import DIGESTS, digests_read_with_lock, project_passages
        from ..permits.issuing import mark_revoked, permits_on_change, remember_consents, store_permit
        from ..web.plan_ids import check_plan_id
        from .projection import project_statement
        from .record import _after_apply, before_apply, on_apply, on_follow_up, read_with_writer_lock

        if not _after_apply:
            for step in (project_statement, project_registry, project_passages, project_incidents,
                         queue_notifications, queue_signed, remember_consents, store_permit, mark_revoked):
                on_apply(step)
            before_apply(check_go)
            before_apply(check_plan_id)
            on_follow_up(reveal_on_close)
            on_follow_up(permits_on_change)
            for key, query in ((HOLDERS, holders_read_with_lock), (CONTACTS, contacts_read_with_lock),
                               (DEADLINES, deadlines_read_with_lock), (DIGESTS, digests_read_with_lock)):
                read_with_writer_lock(key, query)
