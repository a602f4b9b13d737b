"""What a sync run changed, in words: counts per kind of record ("New: 12 accounts, 45 relations, 1,562
transactions"), never one sum of unlike things, with numbers in the user's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext, ngettext_lazy

from monitr.web.numbers import format_count

from .sync.base import RecordKind

# Each kind's noun: the plural form is chosen by "count", and "shown" is the count as the language writes it.
_NOUNS: dict[str, Any] = {
    RecordKind.ACCOUNTS: ngettext_lazy("%(shown)s account", "%(shown)s accounts", "count"),
    RecordKind.RELATIONS: ngettext_lazy("%(shown)s relation", "%(shown)s relations", "count"),
    RecordKind.COST_CENTRES: ngettext_lazy("%(shown)s cost centre", "%(shown)s cost centres", "count"),
    RecordKind.OPEN_ITEMS: ngettext_lazy("%(shown)s open item", "%(shown)s open items", "count"),
    RecordKind.TRANSACTIONS: ngettext_lazy("%(shown)s transaction", "%(shown)s transactions", "count"),
    RecordKind.MONTH_BALANCES: ngettext_lazy("%(shown)s balance per month", "%(shown)s balances per month", "count"),
}


def _counted(stream: Mapping[str, Any], n: int) -> str:
    noun = _NOUNS.get(stream.get("records") or "")
    # A stream without a kind (a check, or a run recorded before streams said theirs) is named by its label.
    return (
        noun % {"count": n, "shown": format_count(n)}
        if noun
        else f"{stream.get('label') or gettext('Other')}: {format_count(n)}"
    )


def _per_kind(streams: Iterable[Mapping[str, Any]], key: str) -> list[str]:
    """``key``'s count (new, changed, ...) of each kind, streams of one kind added up, in :class:`RecordKind`'s
    order (a run's counts are JSON, whose keys PostgreSQL does not keep in order), those without a kind last."""
    totals: dict[str, tuple[Mapping[str, Any], int]] = {}
    for stream in streams:
        n = int(stream.get(key) or 0)
        if n:
            kind = str(stream.get("records") or stream.get("label") or "")
            first, so_far = totals.get(kind, (stream, 0))
            totals[kind] = (first, so_far + n)
    order = {kind.value: index for index, kind in enumerate(RecordKind)}
    ranked = sorted(totals.items(), key=lambda entry: (order.get(entry[0], len(order)), entry[0]))
    return [_counted(stream, n) for _, (stream, n) in ranked]


def run_changes(counts: Mapping[str, Mapping[str, Any]] | None) -> str:
    """A run's per-stream counts (``SyncRun.counts``) as ``New: 12 accounts, 1,562 transactions; changed: 3
    transactions; deleted: 1 open item; set aside: 2 transactions``, or ``no changes``."""
    streams = list((counts or {}).values())
    parts = []
    for key, heading in (
        ("new", gettext("New: %(list)s")),
        ("changed", gettext("changed: %(list)s")),
        ("deleted", gettext("deleted: %(list)s")),
        ("set_aside", gettext("set aside: %(list)s")),
    ):
        listed = _per_kind(streams, key)
        if listed:
            parts.append(heading % {"list": ", ".join(listed)})
    if not parts:
        return gettext("no changes")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]
