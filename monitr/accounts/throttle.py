"""Sign-in throttling: after too many failed sign-ins for one account, or from one IP address, further attempts are
refused for a while, without the password even being checked.

A small limiter on Django's cache rather than a package: Monitr signs in through one form, the cache is Redis in
production (shared by every web process; counters expire by themselves), and two counters with a lock key are all it
takes. The address limit is higher than the account limit, because an office signs in from one address.

What is counted is what the sign-in matches, not the text typed: the account's own address when the e-mail address
finds one (the lookup folds case in the database, where ``ſ`` and ``ı`` match ``s`` and ``i``), else the typed address;
either one normalised (NFKC: the Kelvin sign ``K`` becomes ``K``) and case-folded as the database does, so look-alike
spellings of one address share one count.

When the cache cannot be reached the limiter keeps counting in the memory of the web process and logs a warning: sign-in
keeps working and stays throttled, at worst with a limit that many times the number of web processes, and counts made
before the outage are not seen. That is the safe side of the two others: refusing every sign-in while the cache is down
locks everyone out, and not counting at all lets guessing run freely.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

from monitr.logs import get_logger

log = get_logger(__name__)

# The counters while the shared cache is unreachable: this process's memory, bounded like Django's own memory cache.
_fallback = LocMemCache("monitr-login-throttle", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_WARN_EVERY_SECONDS = 60.0
_last_warning = [-_WARN_EVERY_SECONDS]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the request came straight from one of ``TRUSTED_PROXIES``: only such a peer's ``X-Forwarded-*``
    headers mean anything; anyone else can write them."""
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in network for network in _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()))))


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or, when REMOTE_ADDR is a trusted proxy (``TRUSTED_PROXIES``), the address
    that proxy appended last to X-Forwarded-For (the entries before it are whatever the client sent and prove
    nothing)."""
    if request is None:
        return "unknown"
    if from_trusted_proxy(request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or "unknown"


def fold(email: str) -> str:
    """An e-mail address as the sign-in lookup compares it: compatibility-normalised, then case-folded through upper
    case as the database's ``UPPER()`` does (``ſ`` → ``S``, ``ı`` → ``I``), then lower case."""
    return unicodedata.normalize("NFKC", email.strip()).upper().lower()


def sign_in_identity(email: str) -> str:
    """What a sign-in with ``email`` is counted against: the address of the account it finds, by the same lookup as
    the authentication backend (``get_by_natural_key``), or, when it finds none, the typed address; folded either
    way, so that a spelling the database does not match (the Kelvin sign) still counts against the account it
    imitates."""
    user_model = get_user_model()
    try:
        user = user_model._default_manager.get_by_natural_key(email.strip())
    except (user_model.DoesNotExist, user_model.MultipleObjectsReturned):
        return fold(email)
    return fold(user.get_username())


def _key(kind: str, value: str) -> str:
    # Hashed: the cache holds no e-mail address, and any text makes a valid key.
    return f"login-throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _call(method: str, *args: Any, **kwargs: Any) -> Any:
    """``cache.<method>(...)``, or the same on this process's fallback when the shared cache cannot be reached."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except ValueError:  # incr() of a key that expired: the caller handles it, whichever cache answered
        raise
    except Exception as exc:  # any failure of the cache backend (redis-py raises its own ConnectionError, TimeoutError)
        now = time.monotonic()
        if now - _last_warning[0] >= _WARN_EVERY_SECONDS:
            _last_warning[0] = now
            log.warning("accounts.login_throttle_cache_unavailable", error=type(exc).__name__, fallback="process")
        return getattr(_fallback, method)(*args, **kwargs)


@dataclass(frozen=True)
class LoginThrottle:
    email: str
    ip: str

    @property
    def lockout_seconds(self) -> int:
        return _setting("LOGIN_LOCKOUT_SECONDS", 15 * 60)

    @cached_property
    def identity(self) -> str:
        return sign_in_identity(self.email)

    def _subjects(self) -> list[tuple[str, str, int]]:
        return [
            ("email", self.identity, _setting("LOGIN_FAILURE_LIMIT", 5)),
            ("ip", self.ip, _setting("LOGIN_IP_FAILURE_LIMIT", 20)),
        ]

    def locked(self) -> bool:
        return any(_call("get", _key(f"lock-{kind}", value)) for kind, value, _ in self._subjects())

    def failed(self) -> bool:
        """Count a failed sign-in; True when it locks the account or the IP address."""
        locked = False
        for kind, value, limit in self._subjects():
            key = _key(kind, value)
            _call("add", key, 0, timeout=self.lockout_seconds)
            try:
                count = _call("incr", key)
            except ValueError:  # expired between add and incr
                _call("set", key, count := 1, timeout=self.lockout_seconds)
            if count >= limit:
                _call("set", _key(f"lock-{kind}", value), 1, timeout=self.lockout_seconds)
                _call("delete", key)
                log.warning("accounts.login_locked", subject=kind, ip=self.ip, seconds=self.lockout_seconds)
                locked = True
        return locked

    def succeeded(self) -> None:
        _call("delete", _key("email", self.identity))
