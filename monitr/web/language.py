"""The language a page is in: the user's own choice, else the browser's.

Django's ``LocaleMiddleware`` picks a language before anyone is known: the language cookie, else the browser's
``Accept-Language``, else ``LANGUAGE_CODE``. Once the user is known, :class:`UserLanguageMiddleware` puts their saved
choice (``User.language``) first, so it follows them to every browser. ``language_choose`` saves the choice from the
user menu, or for someone not signed in (the sign-in page) only in the cookie.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

# The value of the choice that means "whatever the browser asks for".
BROWSER = ""


def supported(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


class UserLanguageMiddleware:
    """After authentication: a signed-in user's saved language wins over the cookie and the browser. The JSON API
    answers in English whatever the caller's language: programs read its words (labels, errors), not people."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return self.get_response(request)
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", BROWSER) if user is not None and user.is_authenticated else BROWSER
        if chosen and supported(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen  # set by LocaleMiddleware, read by templates
        return self.get_response(request)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """Save the language chosen in a menu (``language``: a code of ``LANGUAGES``, or empty for the browser's) and go
    back to the page it was chosen on."""
    chosen = request.POST.get("language", BROWSER)
    if chosen != BROWSER and not supported(chosen):
        chosen = BROWSER
    target = request.POST.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.user.is_authenticated:
        request.user.language = chosen
        request.user.save(update_fields=["language"])
    # The cookie keeps the choice for the sign-in page after signing out, and in this browser before signing in.
    if chosen == BROWSER:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    else:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response
