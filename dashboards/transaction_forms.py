"""The filters of the transactions explorer, read from the query string.

A value that does not validate is shown next to its field and left out; an administration, account or relation that
is not the organisation's is a 404, as for any other organisation's object.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import Http404

from ledger.models import Account, Administration, Relation, TransactionType
from monitr.tenancy.models import Organization

from .selectors.transactions import DEFAULT_TRANSACTION_SORT, TRANSACTION_SORTS

ALL = "all"
FIELDS = (
    "administration",
    "date_from",
    "date_to",
    "account",
    "relation",
    "type",
    "amount_min",
    "amount_max",
    "q",
    "unbalanced",
    "sort",
)


class TransactionFilterForm(forms.Form):
    administration = forms.ChoiceField(required=False, label="Administration")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.IntegerField(required=False, label="Account")
    relation = forms.IntegerField(required=False, label="Relation")
    type = forms.ChoiceField(choices=[("", "Any type"), *TransactionType.choices], required=False, label="Type")
    amount_min = forms.DecimalField(required=False, max_digits=18, decimal_places=2, label="Amount from")
    amount_max = forms.DecimalField(required=False, max_digits=18, decimal_places=2, label="Amount to")
    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")
    unbalanced = forms.BooleanField(required=False, label="Only transactions that do not balance")
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in TRANSACTION_SORTS] + [(f"-{k}", k) for k in TRANSACTION_SORTS]
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data: Any, *, organization: Organization, administrations: list[Administration]) -> None:
        super().__init__(data)
        self.organization, self.administrations = organization, administrations
        choices = [(ALL, "All administrations")] if len(administrations) > 1 else []
        choices += [(str(a.pk), a.name) for a in administrations]
        cast(forms.ChoiceField, self.fields["administration"]).choices = choices
        self.is_valid()
        if "administration" in self.errors:
            raise Http404("No such administration in this organisation.")
        self.chosen_account = self._owned(Account, "account")
        self.chosen_relation = self._owned(Relation, "relation")

    def _owned(self, model, name: str):
        pk = self.cleaned_data.get(name)
        if not pk:
            return None
        found = model.objects.for_organization(self.organization).filter(pk=pk).first()
        if found is None:
            raise Http404(f"No such {name} in this organisation.")
        return found

    def value(self, name: str) -> Any:
        value = self.cleaned_data.get(name) if name not in self.errors else None
        if value in (None, ""):
            return {"sort": DEFAULT_TRANSACTION_SORT, "page": 1}.get(name)
        return value

    @property
    def chosen_administration(self) -> Administration | None:
        chosen = self.value("administration")
        if chosen in (None, ALL):
            return self.administrations[0] if len(self.administrations) == 1 else None
        return next(a for a in self.administrations if str(a.pk) == chosen)

    def selector_arguments(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "administration": self.chosen_administration,
            "date_from": self.value("date_from"),
            "date_to": self.value("date_to"),
            "account": self.chosen_account,
            "relation": self.chosen_relation,
            "transaction_type": self.value("type"),
            "amount_min": self.value("amount_min"),
            "amount_max": self.value("amount_max"),
            "search": self.value("q"),
            "unbalanced": bool(self.value("unbalanced")),
            "sort": self.value("sort"),
        }

    def params(self, **changes: Any) -> dict[str, str]:
        values = {name: self.value(name) for name in FIELDS}
        values["unbalanced"] = "1" if values["unbalanced"] else None
        if values["sort"] == DEFAULT_TRANSACTION_SORT:
            values["sort"] = None
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "", False)}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))
