"""e-Boekhouden's error codes, turned into Monitr's provider-neutral errors with messages a user can act on.

The classes come from :mod:`integrations.errors`; this module supplies the wording (it knows e-Boekhouden's
menus) and the mapping from REST codes (``API_SESSION_004``, ``SECURITY_003``, ...) and SOAP ``ErrorMsg`` codes.
Text the service sends back (a title, a SOAP error description) is redacted against the caller's secrets before
it is stored on an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_noop as _

from integrations.errors import (
    AccessDenied,
    AuthenticationError,
    CredentialsExpired,
    GarbledResponse,
    IntegrationError,
    NotFound,
    ProviderApiError,
    RateLimited,
    TransientError,
    redact,
)
from monitr.web.stored_text import stored_pattern

# Each message is in English, as a sync stores it; an error translates its message when it is read (on a page, in the
# reader's language: see integrations.errors).
KEY_REFUSED = _(
    "e-Boekhouden did not accept this API key. If the e-Boekhouden password was changed, copy the new key "
    "from Beheer → Koppelingen → API."
)
KEY_EXPIRED = _(
    "This e-Boekhouden API key has expired. Create a new key in e-Boekhouden under Beheer → Koppelingen → API "
    "and enter it here."
)
KEY_MISSING = _("No e-Boekhouden API key was given. Copy the key from Beheer → Koppelingen → API in e-Boekhouden.")
SOAP_LOGIN_REFUSED = _(
    "e-Boekhouden did not accept this username and these security codes. If the e-Boekhouden password was "
    "changed, copy the new security codes from Beheer → Koppelingen → API/SOAP."
)
SOAP_LOGIN_EXPIRED = _(
    "The e-Boekhouden security codes have expired. Copy the current codes from Beheer → Koppelingen → API/SOAP "
    "and enter them here."
)
NO_ADMINISTRATION_ACCESS = _(
    "This key has no access to the chosen e-Boekhouden administration. An API key belongs to one "
    "administration: create the key while logged in to that administration (Beheer → Koppelingen → API)."
)
ADMINISTRATION_NOT_ACTIVATED = _(
    "This e-Boekhouden administration has not been activated yet. Activate it in e-Boekhouden, then sync again."
)
ADMINISTRATION_OVERDUE = _(
    "e-Boekhouden has blocked this administration because of an overdue payment. Once the payment is settled "
    "with e-Boekhouden, sync again."
)
ADMINISTRATION_UNAVAILABLE = _(
    "e-Boekhouden does not give access to this administration at the moment. Log in on the e-Boekhouden website "
    "to see why, then sync again."
)
NO_PERMISSION = _(
    "This e-Boekhouden key has no permission for part of the data Monitr reads. Check the user's rights in "
    "e-Boekhouden, or create the key as a user with full access."
)
ACCOUNTANTS_ONLY = _("This part of e-Boekhouden is only available to accountants' keys.")
RATE_LIMITED = _(
    "e-Boekhouden is limiting the number of requests right now. Monitr will try again later; nothing needs to be done."
)
TRANSIENT = _(
    "e-Boekhouden could not be reached or had a temporary problem. Monitr will try again later; if this keeps "
    "happening, check e-Boekhouden's service status."
)
GARBLED = _(
    "e-Boekhouden sent an answer Monitr could not read. The next sync will try again; if this keeps happening, "
    "contact Monitr support."
)
NOT_FOUND = _("This item no longer exists in e-Boekhouden; it was probably deleted meanwhile.")
TOO_SLOW = _("e-Boekhouden took too long to answer for this period. Monitr will ask for shorter periods.")


REFUSED = _("e-Boekhouden refused the request.")
# e-Boekhouden's own words on why (its title and code), which stay as e-Boekhouden wrote them.
REFUSED_BECAUSE = stored_pattern(_("e-Boekhouden refused the request: %(detail)s"))
# The legacy SOAP API's calls a month per login are used up (Monitr's count, or the service's own refusal).
SOAP_CALLS_USED = stored_pattern(
    _(
        "e-Boekhouden allows %(limit)s calls a month to its legacy SOAP API for this login, and %(used)s of them "
        "are used this month. Monitr syncs this administration again when the next month begins. An API key has "
        "no such limit: update the connection with a key from Beheer → Koppelingen → API."
    ),
    numbers=("limit", "used"),
)


def api_error_message(code: str | None, title: str | None) -> str:
    detail = " ".join(part for part in (title, f"({code})" if code else None) if part)
    return REFUSED_BECAUSE % {"detail": detail} if detail else REFUSED


# REST codes whose meaning decides the error class (the spec's error tables).
_SECURITY_CODES: dict[str, tuple[type[IntegrationError], str]] = {
    "SECURITY_001": (AccessDenied, NO_PERMISSION),
    "SECURITY_002": (AccessDenied, NO_ADMINISTRATION_ACCESS),
    "SECURITY_003": (AccessDenied, NO_ADMINISTRATION_ACCESS),
    "SECURITY_004": (AccessDenied, ADMINISTRATION_NOT_ACTIVATED),
    "SECURITY_005": (AccessDenied, ADMINISTRATION_OVERDUE),
    "SECURITY_006": (AccessDenied, ADMINISTRATION_UNAVAILABLE),
    "SECURITY_010": (AuthenticationError, KEY_REFUSED),
    "SECURITY_011": (AccessDenied, ADMINISTRATION_UNAVAILABLE),
    "SECURITY_999": (TransientError, TRANSIENT),
    "EP_001": (AccessDenied, ACCOUNTANTS_ONLY),
    "EP_002": (AccessDenied, ACCOUNTANTS_ONLY),
    "API_SESSION_003": (AuthenticationError, KEY_MISSING),
    "API_SESSION_004": (CredentialsExpired, KEY_EXPIRED),
}


def rest_error(
    *,
    status: int,
    body: Mapping[str, Any] | None,
    endpoint: str,
    secrets: Iterable[str | None],
    session_request: bool = False,
) -> IntegrationError:
    """The typed error for a REST answer that is not a success (401s have been renewed already)."""
    secrets = tuple(secrets)
    # Both are the service's text and end up in SyncRun.error_code and the message: an echo of a key is blanked.
    code = redact(_text(body, "code"), secrets)
    title = redact(_text(body, "title"), secrets)
    common: dict[str, Any] = {"code": code, "title": title, "status": status, "endpoint": endpoint}

    if code in _SECURITY_CODES:
        cls, message = _SECURITY_CODES[code]
        return cls(message, **common)
    if status == 401 or (session_request and status == 403):
        # Creating a session with a wrong, revoked or replaced key answers 403 with a SecurityError.
        return AuthenticationError(KEY_REFUSED, **common)
    if status == 403:
        return AccessDenied(NO_ADMINISTRATION_ACCESS, **common)
    if status == 404:
        return NotFound(NOT_FOUND, **common)
    if status == 429:
        return RateLimited(RATE_LIMITED, **common)
    if status >= 500:
        return TransientError(TRANSIENT, **common)
    if code == "LEDG_020":
        return ProviderApiError(TOO_SLOW, **common)
    return ProviderApiError(api_error_message(code, title), **common)


def garbled(endpoint: str, reason: str | None = None, *, status: int | None = None) -> GarbledResponse:
    # ``reason`` names a field ("mutation.date must be a date"), never a value.
    return GarbledResponse(GARBLED, title=reason, endpoint=endpoint, status=status)


def _text(body: Mapping[str, Any] | None, key: str) -> str | None:
    if not isinstance(body, Mapping):
        return None
    value = body.get(key)
    return value if isinstance(value, str) and value else None
