"""Sign-in throttling is django-axes' (settings.py, "Security"); here its lockouts reach the service's log,
so an operator sees a password-guessing run without reading axes' tables, and the client's address is read
the way the deployment allows."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver

logger = logging.getLogger("corridor.security")


@receiver(user_locked_out)
def log_lockout(sender, request, username: str | None = None, ip_address: str | None = None, **kwargs) -> None:
    logger.warning("sign-in locked out: username %r from %s after repeated wrong passwords", username, ip_address)


def client_address(request) -> str | None:
    """Behind the TLS proxy (CORRIDOR_HTTPS=1) every connection comes from the proxy, so the client is the
    last address in X-Forwarded-For: the one the proxy itself appended (a client can forge the ones before
    it, not that one). Otherwise the connection's own address."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
