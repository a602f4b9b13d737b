"""Forwarded headers count only from the proxies Monitr sits behind (``TRUSTED_PROXIES``).

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are plain request headers: anyone who reaches Monitr's port directly can
write them, to pass as HTTPS or to spread failed sign-ins over made-up addresses. This middleware removes them (and
``X-Forwarded-Host``) from every request whose peer is not a trusted proxy, before Django's ``SECURE_PROXY_SSL_HEADER``
or the sign-in throttle read them. A few lines on the standard ``ipaddress`` module; no package does only this.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from monitr.accounts.throttle import from_trusted_proxy

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not from_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
