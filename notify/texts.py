"""What a notification says, in the reader's language: written when it is read, from the facts it keeps (its kind,
side, subject and measured values), so the same notification reads in Dutch to one member and in English to
another. The amounts, days and shares are formatted as the pages format them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ledger.models import OutstandingSide
from monitr.web.numbers import format_money, format_percent
from monitr.web.stored_text import shown

from .models import AlertKind

if TYPE_CHECKING:
    from .models import AlertRule, Notification


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text not in (None, "", "None") else None
    except InvalidOperation:
        return None


def _days(text: str | None) -> str:
    number = _decimal(text)
    return "" if number is None else f"{number.normalize():f}"


def notification_text(notification: Notification) -> str:
    values = notification.values or {}
    value, threshold = values.get("value"), values.get("threshold")
    receivable = notification.side == OutstandingSide.RECEIVABLE
    kind = AlertKind(notification.kind)
    name = notification.subject_name or _("Without a relation")
    if kind == AlertKind.RELATION_OVERDUE_AMOUNT:
        template = (
            _("%(relation)s owes %(value)s overdue, more than %(threshold)s.")
            if receivable
            else _("We owe %(relation)s %(value)s overdue, more than %(threshold)s.")
        )
        return template % {
            "relation": name,
            "value": format_money(_decimal(value)),
            "threshold": format_money(_decimal(threshold)),
        }
    if kind == AlertKind.RELATION_OVERDUE_DAYS:
        template = (
            _("%(relation)s has an invoice %(value)s days overdue, more than %(threshold)s days.")
            if receivable
            else _("An invoice of %(relation)s is %(value)s days overdue, more than %(threshold)s days.")
        )
        return template % {"relation": name, "value": _days(value), "threshold": _days(threshold)}
    if kind == AlertKind.TOTAL_OVERDUE_AMOUNT:
        template = (
            _("Overdue receivables are %(value)s, more than %(threshold)s.")
            if receivable
            else _("Overdue payables are %(value)s, more than %(threshold)s.")
        )
        return template % {"value": format_money(_decimal(value)), "threshold": format_money(_decimal(threshold))}
    if kind == AlertKind.TOTAL_OVERDUE_SHARE:
        template = (
            _("%(value)s of the receivables are overdue, more than %(threshold)s.")
            if receivable
            else _("%(value)s of the payables are overdue, more than %(threshold)s.")
        )
        return template % {"value": format_percent(_decimal(value)), "threshold": format_percent(_decimal(threshold))}
    if kind == AlertKind.DAYS_OUTSTANDING:
        template = (
            _("DSO is %(value)s days, more than %(threshold)s.")
            if receivable
            else _("DPO is %(value)s days, more than %(threshold)s.")
        )
        return template % {"value": _days(value), "threshold": _days(threshold)}
    if kind == AlertKind.SYNC_FAILING:
        text = _("The import of %(administration)s failed twice in a row.") % {"administration": name}
        message = values.get("message")
        return f"{text} {shown(message)}" if message else text
    return _("The key of %(administration)s no longer works: an admin enters a new one under Integrations.") % {
        "administration": name
    }


def rule_text(rule: AlertRule) -> str:
    """The rule in a line, as the rules' list shows it."""
    kind = AlertKind(rule.kind)
    receivable = rule.side == OutstandingSide.RECEIVABLE
    side = _("receivables") if receivable else _("payables")
    if kind == AlertKind.RELATION_OVERDUE_AMOUNT:
        return _("A relation's overdue %(side)s above %(amount)s") % {"side": side, "amount": format_money(rule.amount)}
    if kind == AlertKind.RELATION_OVERDUE_DAYS:
        return _("An invoice in %(side)s more than %(days)s days overdue") % {"side": side, "days": rule.days}
    if kind == AlertKind.TOTAL_OVERDUE_AMOUNT:
        return _("Overdue %(side)s above %(amount)s") % {"side": side, "amount": format_money(rule.amount)}
    if kind == AlertKind.TOTAL_OVERDUE_SHARE:
        return _("Overdue %(side)s above %(percent)s of what is open") % {
            "side": side,
            "percent": format_percent(rule.percent),
        }
    if kind == AlertKind.DAYS_OUTSTANDING:
        template = _("DSO above %(days)s days") if receivable else _("DPO above %(days)s days")
        return template % {"days": rule.days}
    return str(kind.label)
