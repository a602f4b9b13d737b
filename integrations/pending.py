"""The Add wizard's memory between its steps: checked credentials, kept encrypted in the server-side session.

The credentials must survive from "Next" to "Connect" without ever being rendered into a page, so they are encrypted
with the field keys and stored in the session for a short while, then dropped on connect or cancel.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from monitr import crypto

from .providers import AdministrationChoice, CredentialsCheck

SESSION_KEY = "integrations.pending"
MAX_AGE_SECONDS = 15 * 60


def pending_store(request: HttpRequest, *, provider_key: str, check: CredentialsCheck, purpose: str) -> None:
    payload = {
        "secret": check.secret,
        "hint": check.hint,
        "transport": check.transport,
        "administrations": [[c.external_id, c.name, c.importable, c.note] for c in check.administrations],
    }
    request.session[SESSION_KEY] = {
        "provider": provider_key,
        "purpose": purpose,
        "at": time.time(),
        "data": crypto.encrypt_json(payload),
    }


def pending_load(request: HttpRequest, *, provider_key: str, purpose: str) -> CredentialsCheck | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("provider") != provider_key or stored.get("purpose") != purpose:
        return None
    if time.time() - stored.get("at", 0) > MAX_AGE_SECONDS:
        pending_clear(request)
        return None
    try:
        payload = crypto.decrypt_json(stored["data"])
    except crypto.DecryptionError:
        pending_clear(request)
        return None
    return CredentialsCheck(
        secret=payload["secret"],
        hint=payload["hint"],
        transport=payload["transport"],
        administrations=tuple(AdministrationChoice(*row) for row in payload["administrations"]),
    )


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
