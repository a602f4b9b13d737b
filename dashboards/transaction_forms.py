"""The filters of the transactions explorer, read from the query string.

They behave as every dashboard's (``dashboards.filters``); an account or relation that is not the organisation's is a
404 too, as for any other organisation's object.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.models import Account, Relation, TransactionType

from .filters import DashboardFilterForm, date_field, sort_choices
from .selectors.transactions import DEFAULT_TRANSACTION_SORT, TRANSACTION_SORTS


class TransactionFilterForm(DashboardFilterForm):
    date_from = date_field(cast(str, _("From")))  # translated when shown
    date_to = date_field(cast(str, _("To")))
    account = forms.IntegerField(required=False, label=_("Account"))
    relation = forms.IntegerField(required=False, label=_("Relation"))
    type = forms.ChoiceField(choices=[("", _("Any type")), *TransactionType.choices], required=False, label=_("Type"))
    amount_min = forms.DecimalField(required=False, max_digits=18, decimal_places=2, label=_("Amount from"))
    amount_max = forms.DecimalField(required=False, max_digits=18, decimal_places=2, label=_("Amount to"))
    q = forms.CharField(required=False, max_length=200, strip=True, label=_("Search"))
    unbalanced = forms.BooleanField(required=False, label=_("Only transactions that do not balance"))
    sort = forms.ChoiceField(required=False, choices=sort_choices(TRANSACTION_SORTS))

    cost_center = forms.IntegerField(required=False, label=_("Cost centre"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_account = self.owned(Account, "account")
        self.chosen_relation = self.owned(Relation, "relation")

    def default(self, name: str) -> Any:
        return DEFAULT_TRANSACTION_SORT if name == "sort" else super().default(name)

    def selector_arguments(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "administration": self.chosen_administration,
            "date_from": self.value("date_from"),
            "date_to": self.value("date_to"),
            "account": self.chosen_account,
            "relation": self.chosen_relation,
            "cost_center": self.chosen_cost_center,
            "transaction_type": self.value("type"),
            "amount_min": self.value("amount_min"),
            "amount_max": self.value("amount_max"),
            "search": self.value("q"),
            "unbalanced": bool(self.value("unbalanced")),
            "sort": self.value("sort"),
        }

    def link_values(self) -> dict[str, Any]:
        """The filters chosen; the default sort is left out."""
        fields = ("date_from", "date_to", "account", "relation", "type", "amount_min", "amount_max", "q")
        return {
            **super().link_values(),
            **{name: self.value(name) for name in fields},
            "unbalanced": "1" if self.value("unbalanced") else None,
            "cost_center": self.chosen_cost_center.pk if self.chosen_cost_center else None,
            "sort": self.value("sort") if self.value("sort") != DEFAULT_TRANSACTION_SORT else None,
        }
