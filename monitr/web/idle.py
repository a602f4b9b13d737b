"""Sessions end after ``SESSION_IDLE_TIMEOUT_SECONDS`` without a request, besides ``SESSION_COOKIE_AGE`` after sign-in.

Hand-written: django-session-timeout (the package that does only this) has had no release since 2020, and Django's own
``SESSION_SAVE_EVERY_REQUEST`` would give up the absolute lifetime and write the session on every request. Here the
time of the last request is kept in the session, written at most once a minute, and the session's end is fixed at
``SESSION_COOKIE_AGE`` after its first request, so that those writes do not push it on.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LAST_ACTIVITY_KEY = "monitr_last_activity"
WRITE_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = int(getattr(settings, "SESSION_IDLE_TIMEOUT_SECONDS", 0))
        if timeout > 0 and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int) and now - last > timeout:
                logout(request)  # the view then sends the visitor to sign in, as for any signed-out request
            elif not isinstance(last, int) or now - last >= WRITE_EVERY_SECONDS:
                stamp(request.session)
        return self.get_response(request)


def stamp(session: SessionBase) -> None:
    """Note a request in the session; the first time, also fix the session's end."""
    if not isinstance(session.get(LAST_ACTIVITY_KEY), int):
        # Fixed once: Django would otherwise count SESSION_COOKIE_AGE again from every write, and a session in use
        # would never reach its end.
        session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    session[LAST_ACTIVITY_KEY] = int(time.time())


def stamp_at_sign_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """Sign-in starts the idle clock, in the session it saves anyway, so the first page after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        stamp(request.session)
