"""Template helpers for the Integrations pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from integrations import summary
from integrations.models import ConnectionStatus, SyncRunStatus
from integrations.models.connection import INTERRUPTED
from monitr.web.numbers import format_count

register = template.Library()

_BADGES: dict[str, str] = {
    ConnectionStatus.WAITING: "badge-neutral",
    ConnectionStatus.IN_PROGRESS: "badge-info",
    ConnectionStatus.SUCCEEDED: "badge-success",
    ConnectionStatus.FAILED: "badge-danger",
    ConnectionStatus.RECONNECT_NEEDED: "badge-warning",
    SyncRunStatus.RUNNING: "badge-info",
    SyncRunStatus.SKIPPED: "badge-neutral",
}


@register.filter
def status_badge(status: str) -> str:
    return _BADGES.get(status, "badge-neutral")


@register.filter
def update_url(provider, connection_pk: int) -> str:
    """Where the gear's update action of one connection leads: the provider's own page, or Update API key."""
    return provider.update_url(connection_pk)


@register.simple_tag
def interrupted_message() -> str:
    """What a run still marked running says once no live lease protects it: its worker died."""
    return gettext(INTERRUPTED)


@register.filter
def counts_summary(counts: dict[str, int] | None) -> str:
    """``{"new": 120, "changed": 3, "deleted": 1, "unchanged": 9, "set_aside": 2}`` →
    ``+120 new, 3 changed, 1 deleted, 2 set aside``: one stream's counts, whose label names their kind."""
    counts = counts or {}
    words = {
        "new": gettext("+%(count)s new"),
        "changed": gettext("%(count)s changed"),
        "deleted": gettext("%(count)s deleted"),
        "set_aside": gettext("%(count)s set aside"),
    }
    parts = [text % {"count": format_count(counts[key])} for key, text in words.items() if counts.get(key)]
    return ", ".join(parts) or gettext("no changes")


@register.filter
def run_changes(counts: dict[str, dict] | None) -> str:
    """A whole run's changes per kind of record: ``New: 12 accounts, 1,562 transactions; changed: 3 transactions``."""
    return summary.run_changes(counts)


@register.filter
def duration(delta) -> str:
    if delta is None:
        return "–"
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return gettext("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    hours, minutes = divmod(minutes, 60)
    return gettext("%(hours)s h %(minutes)s min") % {"hours": format_count(hours), "minutes": minutes}
