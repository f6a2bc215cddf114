"""Sign-in throttling is django-axes' (settings.py, "Security"); here its lockouts reach the service's log,
so an operator sees a password-guessing run without reading axes' tables."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.dispatch import receiver

logger = logging.getLogger("corridor.security")


@receiver(user_locked_out)
def log_lockout(sender, request, username: str | None = None, ip_address: str | None = None, **kwargs) -> None:
    logger.warning("sign-in locked out: username %r from %s after repeated wrong passwords", username, ip_address)
