"""Template helpers for the Integrations pages."""

from __future__ import annotations

from django import template

from integrations.models import ConnectionStatus, SyncRunStatus
from integrations.models.connection import INTERRUPTED

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
    return INTERRUPTED


@register.filter
def counts_summary(counts: dict[str, int] | None) -> str:
    """``{"new": 120, "changed": 3, "deleted": 1, "unchanged": 9, "set_aside": 2}`` →
    ``+120 new, 3 changed, 1 deleted, 2 set aside``."""
    if not counts:
        return "no changes"
    parts = []
    if counts.get("new"):
        parts.append(f"+{counts['new']} new")
    if counts.get("changed"):
        parts.append(f"{counts['changed']} changed")
    if counts.get("deleted"):
        parts.append(f"{counts['deleted']} deleted")
    if counts.get("set_aside"):
        parts.append(f"{counts['set_aside']} set aside")
    return ", ".join(parts) or "no changes"


@register.filter
def duration(delta) -> str:
    if delta is None:
        return "–"
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
