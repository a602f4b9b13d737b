"""``Cache-Control: no-store`` on every answer to a signed-in user or an API token.

Dashboards, exports, the API's JSON, the integration and token settings pages all show one organisation's data (and a
new token's secret), so neither the browser's disk cache, its Back button nor a shared proxy may keep a copy. One
middleware marks them all, so a new view cannot forget; Django's ``add_never_cache_headers`` (the ``never_cache``
decorator's own headers) does the marking. Static files never get here: WhiteNoise answers them further up.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivateResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: an API token is checked by DRF inside the view, which then sets request.user.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
