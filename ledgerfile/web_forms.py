"""The forms of the Ledger file pages: the upload, and the column mapping of a file that is not in the default
layout. How big a file may be is enforced while it arrives, by :class:`LimitedUploadHandler`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django import forms
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from monitr.web.stored_text import shown

from .columns import JOURNAL_FIELDS, OPEN_ITEM_FIELDS, OPEN_ITEMS_PREFIX, Field
from .reading import max_bytes, megabytes, too_large_message

ACCEPT = ".csv,.xlsx"
EXTENSIONS = {".csv", ".xlsx"}
# The value of "not in this file" in a mapping's choice.
NOT_IN_FILE = ""


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Each uploaded file goes to a temporary file as it arrives (never into memory), and a file larger than
    ``LEDGER_FILE_MAX_BYTES`` is dropped as soon as it passes the limit: Django itself limits only the other form
    fields, so without this a request of any size would be written to disk before the form could refuse it. The
    names of the dropped fields are left on ``request.too_large`` for the form's message."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = max_bytes()
        self.received = 0
        request.too_large = set()

    def new_file(self, field_name, *args, **kwargs) -> None:
        self.received = 0
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.too_large.add(self.field_name)  # type: ignore[union-attr]
            raise SkipFile  # Django closes (and so deletes) the temporary file and reads past the rest of this part
        return super().receive_data_chunk(raw_data, start)


def file_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": ACCEPT})


class UploadForm(forms.Form):
    """The ledger, an optional open-items file, and (for a new connection) the administration's name."""

    name = forms.CharField(
        label=_("Administration name"),
        max_length=200,
        help_text=_("How Monitr names these books in the dashboards, e.g. the company's name."),
    )
    ledger = forms.FileField(
        label=_("Ledger file"),
        widget=file_input(),
        help_text=_("CSV or XLSX, one journal line a row: date, entry, account, description, debit and credit."),
    )
    open_items = forms.FileField(
        label=_("Open items file (optional)"),
        required=False,
        widget=file_input(),
        help_text=_(
            "The invoices not yet paid, for Outstanding Items: side, relation, invoice, dates and amount open."
        ),
    )

    def __init__(self, *args, too_large: Sequence[str] = (), with_name: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = set(too_large)
        if not with_name:
            del self.fields["name"]
        limit = megabytes(max_bytes())
        for name in ("ledger", "open_items"):
            field = self.fields[name]
            field.help_text = gettext("%(help)s Up to %(limit)s.") % {"help": field.help_text, "limit": limit}

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.too_large & set(self.fields):
            self.errors.pop(name, None)  # "required": the file was dropped, the real reason follows
            self.add_error(name, shown(too_large_message()))

    def _clean_file(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload and Path(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(gettext("Choose a CSV or XLSX file (.csv or .xlsx)."))
        return upload

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_ledger(self):
        return self._clean_file("ledger")

    def clean_open_items(self):
        return self._clean_file("open_items")


class ColumnsForm(forms.Form):
    """For each field of the layout, the header of the file that holds it; pre-filled where a header matches.

    Built for the tables that need a mapping: ``tables`` is ``[(kind, label, headers, guessed)]`` with kind
    ``journal`` or ``open_items``. Field names are the mapping's keys (``date``, ``open_items.amount_open``)."""

    def __init__(self, *args, tables: Sequence[tuple[str, str, Sequence[str], dict[str, str]]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sections: list[dict] = []
        for kind, label, headers, guessed in tables:
            fields: tuple[Field, ...] = JOURNAL_FIELDS if kind == "journal" else OPEN_ITEM_FIELDS
            prefix = "" if kind == "journal" else OPEN_ITEMS_PREFIX
            choices = [(NOT_IN_FILE, gettext("— Not in this file —")), *((h, h) for h in headers if h)]
            names = []
            for field in fields:
                name = prefix + field.key
                self.fields[name] = forms.ChoiceField(
                    label=field.label,
                    choices=choices,
                    required=field.required,
                    initial=guessed.get(field.key, NOT_IN_FILE),
                    help_text=field.help,
                )
                names.append(name)
            self.sections.append({"kind": kind, "label": label, "names": names})
        for section in self.sections:
            section["fields"] = [self[name] for name in section["names"]]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for section in self.sections:
            chosen: dict[str, str] = {}
            for name in section["names"]:
                header = cleaned.get(name)
                if not header:
                    continue
                if header in chosen:
                    self.add_error(
                        name,
                        gettext("“%(header)s” is already chosen for %(field)s.")
                        % {"header": header, "field": self.fields[chosen[header]].label},
                    )
                else:
                    chosen[header] = name
            if section["kind"] == "journal" and not (
                cleaned.get("amount") or (cleaned.get("debit") and cleaned.get("credit"))
            ):
                message = gettext("Choose the debit and credit columns, or one signed amount column.")
                for name in ("debit", "credit", "amount"):
                    if not cleaned.get(name) and name not in self.errors:
                        self.add_error(name, message)
        return cleaned

    def mapping(self) -> dict[str, str]:
        """The chosen headers as the import's column mapping: a field not in the file maps to an empty header."""
        return {name: self.cleaned_data.get(name) or NOT_IN_FILE for name in self.fields}
