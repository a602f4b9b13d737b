"""Sign-in throttling: after too many failed sign-ins for one e-mail address, or from one IP address, further
attempts are refused for a while, without the password even being checked.

A small limiter on Django's cache rather than a package: Monitr signs in through one form, the cache is Redis in
production (shared by every web process; counters expire by themselves), and two counters with a lock key are all it
takes. The address limit is higher than the e-mail limit, because an office signs in from one address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from monitr.logs import get_logger

log = get_logger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or behind the TLS proxy the address that proxy appended last to
    X-Forwarded-For (the entries before it are whatever the client sent and prove nothing)."""
    if request is None:
        return "unknown"
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(kind: str, value: str) -> str:
    # Hashed: the cache holds no e-mail address, and any text makes a valid key.
    return f"login-throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


@dataclass(frozen=True)
class LoginThrottle:
    email: str
    ip: str

    @property
    def lockout_seconds(self) -> int:
        return _setting("LOGIN_LOCKOUT_SECONDS", 15 * 60)

    def _subjects(self) -> list[tuple[str, str, int]]:
        return [
            ("email", self.email.strip().lower(), _setting("LOGIN_FAILURE_LIMIT", 5)),
            ("ip", self.ip, _setting("LOGIN_IP_FAILURE_LIMIT", 20)),
        ]

    def locked(self) -> bool:
        return any(cache.get(_key(f"lock-{kind}", value)) for kind, value, _ in self._subjects())

    def failed(self) -> bool:
        """Count a failed sign-in; True when it locks the e-mail address or the IP address."""
        locked = False
        for kind, value, limit in self._subjects():
            key = _key(kind, value)
            cache.add(key, 0, timeout=self.lockout_seconds)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, count := 1, timeout=self.lockout_seconds)
            if count >= limit:
                cache.set(_key(f"lock-{kind}", value), 1, timeout=self.lockout_seconds)
                cache.delete(key)
                log.warning("accounts.login_locked", subject=kind, ip=self.ip, seconds=self.lockout_seconds)
                locked = True
        return locked

    def succeeded(self) -> None:
        cache.delete(_key("email", self.email.strip().lower()))
