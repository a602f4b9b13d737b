"""The Content-Security-Policy header (Django 5.2 has none of its own), and a Permissions-Policy.

Monitr's pages load scripts and styles only from its own static files (htmx and Chart.js are vendored), have no
inline script or style and no ``eval``, so the policy allows nothing else: a name like ``<script>...`` that slipped
through escaping still would not run. A view may set its own header; this one is then left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def policy_text(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only"
            if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )
        self.value = policy_text(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.value and self.header not in response:
            response[self.header] = self.value
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
