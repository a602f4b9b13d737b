"""Template helpers for the dashboards: ages in days and signed amounts, in the user's language (the numbers
themselves are :mod:`monitr.web.numbers`'s)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from ledger.vat import vat_code_label
from monitr.web.numbers import format_amount, format_count
from monitr.web.templatetags.monitr_ui import money

register = template.Library()


@register.simple_tag
def days_past(reference: date | None, as_of: date) -> int | None:
    """Days from ``reference`` to ``as_of``: positive when ``reference`` lies before it."""
    return None if reference is None else (as_of - reference).days


@register.filter
def signed_money(value: Decimal | None) -> str:
    """An amount with its sign always shown: ``+€ 1.200,00``, ``-€ 80,00``, ``€ 0,00``."""
    return _signed(value, money)


@register.filter
def amount(value: Decimal | None) -> str:
    """An amount with cents without the symbol, for statements whose header says "in euro": ``-1.234,50``."""
    return format_amount(value)


@register.filter
def signed_amount(value: Decimal | None) -> str:
    """:func:`amount` with its sign always shown: ``+1.200,00``, ``-80,00``, ``0,00``."""
    return _signed(value, amount)


def _signed(value: Decimal | None, formatted: Callable[[Decimal], str]) -> str:
    if value is None:
        return "–"
    return f"+{formatted(value)}" if value > 0 else formatted(value)


@register.filter
def days(value: Decimal | None) -> str:
    """A number of days, whole: ``41.7`` → ``42 days``."""
    if value is None:
        return "–"
    whole = int(Decimal(value).quantize(Decimal(1)))
    return ngettext("%(count)s day", "%(count)s days", whole) % {"count": format_count(whole)}


@register.filter
def signed_days(value: Decimal | None) -> str:
    """Days after a day, whole, with the sign always shown: ``23.6`` → ``+24``, ``-5``, ``0``."""
    if value is None:
        return "–"
    return _signed(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP), lambda whole: format_count(int(whole)))


@register.filter(expects_localtime=True)
def short_date(value: date | None, pattern: str = "j M Y") -> str:
    """A date with its month shortened, written as the language writes months: ``3 Dec 2026`` in English,
    ``3 dec 2026`` in Dutch. Django's ``M`` capitalises the short month in every language; a language whose month
    names are not capitalised (``december``) gets it in lower case."""
    if value is None:
        return ""
    text = date_format(value, pattern)
    if "M" in pattern and date_format(value, "F")[:1].islower():
        text = text.replace(date_format(value, "M"), date_format(value, "b"))
    return text


@register.filter
def bar_width(value: Decimal | None, largest: Decimal | None) -> str:
    """A share of ``largest`` as a CSS percentage for the small bars of the top lists, at least a sliver."""
    if not value or not largest or largest <= 0 or value <= 0:
        return "0%"
    return f"{max(Decimal(2), value * 100 / largest):.1f}%"


@register.filter
def bucket_amount(row: dict, index: int) -> Decimal | None:
    """The amount of bucket ``index`` in a per-relation row (``bucket_<index>``)."""
    return row.get(f"bucket_{index}")


@register.filter
def negate(value: Decimal | None) -> Decimal | None:
    """``-80`` → ``80``: a credit shown in a credit column without its sign."""
    return None if value is None else -value


@register.filter
def whole(value: Decimal | None) -> str:
    """An amount in whole euros without the symbol, for dense tables whose header says "in euro": ``-1.235``."""
    return format_amount(value, 0)


@register.simple_tag
def month_cells(
    values: Sequence[Decimal],
    *,
    url: str = "",
    query: str = "",
    css: str = "num",
    mark_zero: bool = False,
    shown: int | None = None,
) -> SafeString:
    """A statement row's figure per month as table cells, in whole euros: each linked to ``url?query&m=<month>``
    when a ``url`` is given and the figure is not zero; a zero greyed out with ``mark_zero``; only the first
    ``shown`` months when it is given.

    A tag rather than a loop in the template: a statement has a few hundred such cells, and the template language
    spends about 20 µs on each. The address and the classes are escaped once for the row; each figure is
    :func:`whole`'s digits, points and minus sign, escaped all the same."""
    href = escape(f"{url}?{query}&m=") if url else ""
    plain, zero = escape(css), escape(f"{css} zero" if mark_zero else css)
    cells = []
    for month, value in enumerate(values[:shown], start=1):
        text = escape(whole(value))
        if not value:
            cells.append(f'<td class="{zero}">{text}</td>')
        elif href:
            cells.append(f'<td class="{plain}"><a href="{href}{month}">{text}</a></td>')
        else:
            cells.append(f'<td class="{plain}">{text}</td>')
    return mark_safe("".join(cells))  # noqa: S308 - every value in it is escaped above


@register.filter
def unshown_errors(form, shown: str = "") -> list[str]:
    """The form's errors, "Label: message", but those of the fields named in ``shown`` (comma-separated), which the
    page shows next to their field: for the notice that a link's filter was not understood and its default used."""
    inline = {name.strip() for name in shown.split(",")}
    return [
        gettext("%(field)s: %(error)s") % {"field": form.fields[name].label or name.capitalize(), "error": error}
        if name in form.fields
        else str(error)
        for name, errors in form.errors.items()
        if name not in inline
        for error in errors
    ]


@register.filter
def vat_code(code: str | None) -> str:
    """A line's VAT code as its rate and kind: ``LAAG_VERK_9`` → ``9% sales``; an unknown code as it is."""
    return vat_code_label(code)


@register.filter
def without_number(description: str | None, number: str | None) -> str:
    """A description without the invoice number shown beside it: ``Factuur F-2025-00012`` next to ``F-2025-00012``
    reads ``Factuur``. Only the whole number goes (``F-1`` stays in ``F-12``); a description that is nothing but
    the number becomes empty."""
    description = description or ""
    if not number or not description:
        return description
    shorter = re.sub(rf"(?<![\w-]){re.escape(number)}(?![\w-])", " ", description)
    return " ".join(shorter.split())


@register.filter
def invoice_of_check(subject: str) -> str:
    """The invoice an open-item ledger check names: its subject without the side ("receivable:2024-0012")."""
    return subject.partition(":")[2] or subject


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """``mapping[key]``, or None: a lookup by a value the template holds (a row's relation id)."""
    return mapping.get(key) if mapping else None
