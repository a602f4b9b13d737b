"""Provider-neutral errors that every accounting-software client raises.

The sync engine and the Integrations pages decide what to do from the class alone: an auth error marks the
connection "Reconnect needed" and is never retried, a transient error is retried, everything else fails the run
with a message the user can act on. Each provider passes its own ``user_message`` (it knows where its menus
are); the defaults here are the fallback and name no provider.

None of these errors ever holds a credential: they carry only the message, the provider's error code and
title, the HTTP status and the endpoint template. Text that comes from a provider's answer goes through
:func:`redact` before it is stored, in case the answer echoes what was sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_noop as _

from monitr.web.stored_text import shown

REDACTED = "[redacted]"


def redact(text: str | None, secrets: Iterable[str | None]) -> str | None:
    """Return ``text`` with every non-trivial secret replaced by ``[redacted]``."""
    if not text:
        return text
    for secret in secrets:
        # Very short strings would blank out ordinary words; real keys and codes are long. Without regard to case:
        # a service that compares a code case-insensitively may echo it in its own case.
        if secret and len(secret) >= 4:
            text = re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
    return text


# An English message, translated each time it is read.
_translated = lazy(shown, str)


class IntegrationError(Exception):
    """Base of every error an accounting-software client raises.

    ``user_message`` is what the user reads on the connection card. It is given in English (marked with
    ``gettext_noop``, or declared with :func:`~monitr.web.stored_text.stored_pattern`) and translated when it is
    read: in the page's language on a page, in English where the sync engine stores it. ``str(error)`` is the same
    text, so a careless ``f"{error}"`` still shows something safe and useful.
    """

    default_message: str = _("The accounting software returned an error.")
    #: The connection cannot work until the user supplies new credentials.
    reconnect_needed = False
    #: Trying the same request again later may succeed.
    retryable = False

    def __init__(
        self,
        user_message: Any = None,
        *,
        code: str | None = None,
        title: str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        message = user_message or self.default_message
        self.user_message = _translated(message) if isinstance(message, str) else message
        self.code = code
        self.title = title
        self.status = status
        self.endpoint = endpoint
        super().__init__(self.user_message)

    def __str__(self) -> str:
        return str(self.user_message)

    def __repr__(self) -> str:
        fields = [
            f"{name}={value!r}"
            for name, value in (
                ("code", self.code),
                ("status", self.status),
                ("endpoint", self.endpoint),
            )
            if value is not None
        ]
        return f"{type(self).__name__}({', '.join(fields)})"

    def __reduce__(self):  # Celery and multiprocessing pickle errors: keep the safe fields only.
        return (
            _rebuild,
            (type(self), self.user_message, self.code, self.title, self.status, self.endpoint, self._extra()),
        )

    def _extra(self) -> dict[str, object]:
        return {}


def _rebuild(cls, user_message, code, title, status, endpoint, extra):
    """Unpickle an :class:`IntegrationError` from its safe fields."""
    return cls(user_message, code=code, title=title, status=status, endpoint=endpoint, **extra)


class AuthenticationError(IntegrationError):
    """The credentials were refused: wrong, revoked, or replaced because the password changed."""

    default_message = _(
        "The accounting software did not accept these credentials. Copy a new key from the accounting "
        "software and update the connection."
    )
    reconnect_needed = True


class CredentialsExpired(AuthenticationError):
    """The credentials had an end date and it has passed."""

    default_message = _(
        "These credentials have expired. Create a new key in the accounting software and update the connection."
    )


class AccessDenied(IntegrationError):
    """The credentials work, but not for this administration or this endpoint."""

    default_message = _(
        "These credentials have no access to this administration. Check which administration the key belongs "
        "to, or choose another one."
    )
    reconnect_needed = True


class TransientError(IntegrationError):
    """Timeout, connection error or server error: trying again later is expected to work."""

    default_message = _(
        "The accounting software could not be reached or had a temporary problem. Monitr will try again."
    )
    retryable = True


class RateLimited(TransientError):
    """The provider asked us to slow down; ``retry_after`` is its advice in seconds, if it gave one."""

    default_message = _("The accounting software is limiting the number of requests. Monitr will try again later.")

    def __init__(self, user_message: Any = None, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(user_message, **kwargs)
        self.retry_after = retry_after

    def _extra(self) -> dict[str, object]:
        return {"retry_after": self.retry_after}


class CallLimitReached(IntegrationError):
    """The provider's calls for this credential and period are used up (a monthly call limit): the run stops before
    it would go past it, and nothing is tried again before ``retry_at`` (an aware datetime, when the period ends)."""

    default_message = _(
        "The accounting software's limit of calls for this period is reached. Monitr syncs again when the next "
        "period begins."
    )

    def __init__(self, user_message: Any = None, *, retry_at: Any = None, **kwargs) -> None:
        super().__init__(user_message, **kwargs)
        self.retry_at = retry_at

    def _extra(self) -> dict[str, object]:
        return {"retry_at": self.retry_at}


class GarbledResponse(IntegrationError):
    """The answer could not be read: not JSON or XML, or not the shape the contract promises."""

    default_message = _(
        "The accounting software sent an answer Monitr could not read. The next sync will try again; if this "
        "keeps happening, contact support."
    )


class ProviderApiError(IntegrationError):
    """Any other refusal, carrying the provider's own error ``code`` and ``title``."""

    default_message = _("The accounting software refused the request.")


class NotFound(ProviderApiError):
    """The object asked for by id does not exist (any more): usually deleted at the source meanwhile."""

    default_message = _("The requested item no longer exists in the accounting software.")
