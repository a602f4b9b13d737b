"""Figures kept in the cache until the books they are figured from change.

The Outstanding Items dashboard's headline figures and the cash forecast read every open item (50,000 on a large
organisation) each time they are figured, yet change only when a sync changes the books. So they are kept under a
key that names the state of the scope's books: per administration, when its open items, their relations or habits
last changed (``Administration.outstanding_changed_at``, set by the ledger's write services) and when it was last
imported (``last_imported_at``: every successful sync, whatever it changed, so nothing a sync wrote is ever read
stale), with what else the figures depend on (the side, the day, the settings). A sync's end figures the default
views again in the worker (``dashboards.receivers``), so people read them kept.

Reading the state is one small query; a figure not kept is figured and kept for a day at most (the day is in every
key). Django's cache framework does the keeping (Redis in production, memory in a single process).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache

from ledger.models import Administration
from monitr.logs import get_logger

from .scope import OutstandingScope

T = TypeVar("T")
log = get_logger(__name__)

# Part of every key: raised when what is kept changes shape or the rules that figure it change.
CACHE_VERSION = 1
KEPT_SECONDS = 24 * 60 * 60


def books_state(scope: OutstandingScope) -> list[str]:
    """Each administration of the scope with when its open items last changed and when it was last imported; read
    once per scope."""
    if scope._books_state:
        return scope._books_state[0]
    administrations = Administration.objects.for_organization(scope.organization)
    if scope.administration is not None:
        administrations = administrations.filter(pk=scope.administration.pk)
    state = [
        f"{pk}@{changed.isoformat() if changed else '-'}@{imported.isoformat() if imported else '-'}"
        for pk, changed, imported in administrations.order_by("pk").values_list(
            "pk", "outstanding_changed_at", "last_imported_at"
        )
    ]
    scope._books_state.append(state)
    return state


def kept(name: str, scope: OutstandingScope, parts: Iterable[Any], figure: Callable[[], T]) -> T:
    """``figure()`` as kept for the scope's books in their current state and ``parts``; figured and kept if not."""
    key_parts = [name, str(CACHE_VERSION), *books_state(scope), *(str(part) for part in parts)]
    return kept_under(f"{name}:" + hashlib.sha256("\x1f".join(key_parts).encode()).hexdigest(), figure)


def kept_under(key: str, figure: Callable[[], T]) -> T:
    """``figure()`` as kept under ``key``, else figured and kept. A cache that cannot be reached (Redis down) only
    costs the time of figuring: the page still shows, with figures as right as ever."""
    try:
        found = cache.get(key)
    except Exception as error:  # the cache backend's own errors (redis-py's ConnectionError, timeouts)
        log.warning("cache.unreachable", key=key.partition(":")[0], error=type(error).__name__)
        return figure()
    if found is None:
        found = figure()
        try:
            cache.set(key, found, KEPT_SECONDS)
        except Exception as error:  # as above: kept next time, when the cache answers again
            log.warning("cache.unreachable", key=key.partition(":")[0], error=type(error).__name__)
    return found
