"""The form of a note on a relation or one of its open items: its text, an optional follow-up date and an optional
day the relation promised to pay on. A new note also says what it is on: the relation, or one of its open items
today (the choice's value is the item's name that survives syncs, ``dashboards.notes.item_key``).

Dates: a follow-up is today or later (a note kept with a follow-up date now past may keep it when edited); both
dates lie within :data:`DAYS_AHEAD` of today, and a promise no further back than :data:`PROMISE_DAYS_BACK`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitr.web.numbers import format_money

from .notes import NOTE_MAX_LENGTH, RelationNote
from .selectors.notes import NoteItem

DAYS_AHEAD = 5 * 366
PROMISE_DAYS_BACK = 366


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoteForm(forms.Form):
    item = forms.ChoiceField(required=False, label=gettext_lazy("About"))
    text = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write the note first.")},
    )
    follow_up_on = forms.DateField(required=False, label=gettext_lazy("Follow up on"), widget=_date_input())
    promised_on = forms.DateField(required=False, label=gettext_lazy("Promised to pay on"), widget=_date_input())

    def __init__(
        self,
        data: Any = None,
        *,
        today: date,
        items: list[NoteItem] | None = None,
        note: RelationNote | None = None,
        chosen_item: str = "",
        prefix: str | None = None,
    ) -> None:
        """``items``: a new note's choice of what it is on (None for an edit, which keeps that); ``note``: the note
        being edited; ``chosen_item``: the item a new note starts on (from the item's row)."""
        initial = {}
        if note is not None:
            initial = {"text": note.text, "follow_up_on": note.follow_up_on, "promised_on": note.promised_on}
        super().__init__(data, initial=initial, prefix=prefix)
        self.today, self.note = today, note
        self.items = {item.key: item for item in items or []}
        if items is None:
            del self.fields["item"]
        else:
            cast(forms.ChoiceField, self.fields["item"]).choices = [
                ("", _("The relation itself")),
                *((key, self._item_label(item)) for key, item in self.items.items()),
            ]
            if chosen_item in self.items:
                self.fields["item"].initial = chosen_item
        latest = (today + timedelta(days=DAYS_AHEAD)).isoformat()
        self.fields["follow_up_on"].widget.attrs.update(min=today.isoformat(), max=latest)
        self.fields["promised_on"].widget.attrs.update(
            min=(today - timedelta(days=PROMISE_DAYS_BACK)).isoformat(), max=latest
        )

    @staticmethod
    def _item_label(item: NoteItem) -> str:
        number = item.invoice_number or _("without a number")
        due = date_format(item.due_date or item.invoice_date, "DATE_FORMAT")
        return _("Invoice %(number)s · due %(day)s · %(amount)s open") % {
            "number": number,
            "day": due,
            "amount": format_money(item.outstanding),
        }

    def _within_reach(self, day: date | None) -> date | None:
        if day is not None and day > self.today + timedelta(days=DAYS_AHEAD):
            raise forms.ValidationError(_("Choose a day within five years from today."))
        return day

    def clean_follow_up_on(self) -> date | None:
        day = self.cleaned_data["follow_up_on"]
        kept = self.note is not None and day == self.note.follow_up_on
        if day is not None and day < self.today and not kept:
            raise forms.ValidationError(_("A follow-up is today or later."))
        return self._within_reach(day)

    def clean_promised_on(self) -> date | None:
        day = self.cleaned_data["promised_on"]
        kept = self.note is not None and day == self.note.promised_on
        if day is not None and day < self.today - timedelta(days=PROMISE_DAYS_BACK) and not kept:
            raise forms.ValidationError(_("Choose a day within the last year or later."))
        return self._within_reach(day)

    def chosen(self) -> NoteItem | None:
        """The open item a new note is on; None for a note on the relation."""
        key = self.cleaned_data.get("item") or ""
        return self.items.get(key)
