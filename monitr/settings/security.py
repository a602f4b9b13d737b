"""Cookies, HTTPS and headers. Strict in production; development keeps plain HTTP on localhost working."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from .env import IS_PRODUCTION, env

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_FAILURE_VIEW",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_IP_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_SECONDS",
    "PERMISSIONS_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_SECURE",
    "SESSION_IDLE_TIMEOUT_SECONDS",
    "TRUSTED_PROXIES",
    "X_FRAME_OPTIONS",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
# No script reads the CSRF cookie: htmx sends the token from the page (hx-headers), forms from their hidden field and
# the API docs page from its script, so the cookie can be HttpOnly too.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "monitr.web.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
# Behind a TLS-terminating proxy (the usual production set-up) the proxy says which scheme the client used.
BEHIND_TLS_PROXY: bool = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# The proxies' own addresses (IPs or CIDRs, comma-separated). X-Forwarded-For/-Proto/-Host are removed from every
# request that does not come straight from one of them (monitr.web.proxy), whatever BEHIND_TLS_PROXY says.
TRUSTED_PROXIES: list[str] = [entry.strip() for entry in env.list("TRUSTED_PROXIES", default=[]) if entry.strip()]
for _entry in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_entry!r} is not an IP address or network.") from None
if IS_PRODUCTION and BEHIND_TLS_PROXY and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "BEHIND_TLS_PROXY is set but TRUSTED_PROXIES is empty: name the proxy's address, or no request counts as HTTPS."
    )

# A signed-in session ends after this many seconds without a request (monitr.web.idle); 0 turns it off. Sessions
# also end SESSION_COOKIE_AGE after sign-in, however active.
SESSION_IDLE_TIMEOUT_SECONDS: int = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=2 * 3600)

# Sign-in throttling (monitr.accounts.throttle): this many failed sign-ins for one e-mail address, or from one IP
# address (higher: an office shares one), pause sign-in for LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURE_LIMIT: int = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT: int = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_SECONDS: int = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# monitr.web.csp: only Monitr's own static files run or style a page; no inline script or style, no eval, no frames.
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY_REPORT_ONLY: bool = env.bool("CONTENT_SECURITY_POLICY_REPORT_ONLY", default=False)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
