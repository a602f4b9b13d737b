"""Template helpers for every page: inline icons, and numbers (money, counts, percentages) in the user's language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .. import stored_text
from ..numbers import format_count, format_money, format_percent
from ..text import end_sentence as _end_sentence

register = template.Library()

# Simple 24×24 stroke icons drawn for Monitr; inline so pages need no icon font or external sprite.
_ICONS: dict[str, str] = {
    "grid": '<rect x="3" y="3" width="7" height="7" rx="1.5"/><rect x="14" y="3" width="7" height="7" rx="1.5"/>'
    '<rect x="3" y="14" width="7" height="7" rx="1.5"/><rect x="14" y="14" width="7" height="7" rx="1.5"/>',
    "plug": '<path d="M9 2v6M15 2v6M6 8h12v3a6 6 0 0 1-12 0V8zM12 17v5"/>',
    "chart": '<path d="M3 3v18h18"/><path d="M7 15l4-4 3 3 5-6"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "list": '<path d="M8 6h13M8 12h13M8 18h13"/><circle cx="4" cy="6" r="1"/><circle cx="4" cy="12" r="1"/>'
    '<circle cx="4" cy="18" r="1"/>',
    "users": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><path d="M16 4.5a3.5 3.5 0 0 1 0 7'
    'M18 14a6.5 6.5 0 0 1 3.5 6"/>',
    "settings": '<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1'
    "a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1"
    "a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1"
    " 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0"
    "v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0"
    ' 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"/>',
    "logout": '<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9"/>',
    "chevron-down": '<path d="M6 9l6 6 6-6"/>',
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "close": '<path d="M6 6l12 12M18 6L6 18"/>',
    "check": '<path d="M20 6L9 17l-5-5"/>',
    "bell": '<path d="M6 8a6 6 0 1 1 12 0c0 7 3 8 3 8H3s3-1 3-8"/><path d="M10.3 20a1.9 1.9 0 0 0 3.4 0"/>',
    "alert": '<path d="M12 3l10 18H2L12 3z"/><path d="M12 10v4M12 17.5v.5"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>',
    "refresh": '<path d="M21 12a9 9 0 1 1-3-6.7L21 8"/><path d="M21 3v5h-5"/>',
    "building": '<rect x="4" y="3" width="16" height="18" rx="1.5"/>'
    '<path d="M9 8h1M14 8h1M9 12h1M14 12h1M10 21v-4h4v4"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
}


@register.simple_tag
def icon(name: str, size: int = 18, css_class: str = "") -> SafeString:
    body = _ICONS.get(name, _ICONS["info"])
    return format_html(
        '<svg class="icon {}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>',
        css_class,
        size,
        size,
        mark_safe(body),  # noqa: S308 - the markup comes from the constant table above, never from input
    )


@register.filter
def money(value: Decimal | int | None, places: int = 2) -> str:
    """An amount in euro in the user's language: ``€ 1.234.567,50`` in Dutch, ``€1,234,567.50`` in English."""
    return format_money(value, places)


@register.filter
def count(value: int | None) -> str:
    """A count in the user's language: ``1.562`` in Dutch, ``1,562`` in English."""
    return format_count(value)


@register.filter
def percent(value: Decimal | None, places: int = 1) -> str:
    """A percentage in the user's language: ``42,5%`` in Dutch, ``42.5%`` in English; nothing known → an en dash."""
    return format_percent(value, places)


@register.filter
def end_sentence(text: str) -> str:
    """A name or phrase that closes a sentence, with one full stop: ``Gouda Hoveniers B.V.`` gets none added."""
    return _end_sentence(text)


@register.filter
def shown(text: str | None) -> str:
    """A text a worker stored in English (a reason, a status), in the reader's language (:mod:`..stored_text`)."""
    return stored_text.shown(text)
