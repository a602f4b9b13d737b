"""The Ledger file pages: upload → map the columns (only for a file not in the default layout) → preview → import.

The same three steps connect a new administration (Add on the card) or replace the file of a connected one (the
gear's "Upload a corrected file"). Between the steps the files wait server-side as a pending
:class:`~ledgerfile.models.LedgerUpload`: an upload under an external id of its own that no administration has,
uploaded by this user in this organisation less than :data:`PENDING_FOR` ago. Importing or cancelling deletes it;
one left behind is deleted with the abandoned uploads (:mod:`ledgerfile.services`). Only admins reach these pages,
and every query is scoped to the organisation.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass
from functools import wraps
from itertools import islice
from typing import Any

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from integrations import registry, services
from integrations.models import Connection
from ledger.models import Administration
from monitr.logs import get_logger
from monitr.tenancy.access import admin_required
from monitr.tenancy.requests import MemberRequest
from monitr.tenancy.scoping import get_for_organization_or_404

from .book import LedgerFile
from .columns import guess_columns, resolve_columns, split_columns
from .models import LedgerUpload
from .reading import Source, open_workbook
from .report import FileRefused, Report
from .services import PROVIDER_KEY, ledger_file_connect, new_external_id, upload_replace, upload_sources, upload_store
from .web_forms import ColumnsForm, LimitedUploadHandler, UploadForm

log = get_logger(__name__)

# How long the files of an upload wait for the next step.
PENDING_FOR = dt.timedelta(hours=1)
# How many journal lines the preview shows.
PREVIEW_LINES = 12


def _provider():
    return registry.get(PROVIDER_KEY)


def _card_url() -> str:
    return reverse("integrations:category", args=[_provider().category.value]) + f"#provider-{PROVIDER_KEY}"


@dataclass(frozen=True)
class Flow:
    """Which of the two uses of the steps a request is in: a new administration, or a corrected file for
    ``connection``."""

    connection: Connection | None = None

    def url(self, step: str, upload: LedgerUpload | None = None) -> str:
        args: list[Any] = [self.connection.pk] if self.connection else []
        if upload is not None:
            args.append(upload.pk)
        prefix = "replace" if self.connection else "add"
        return reverse(f"ledgerfile:{prefix}{'_' + step if step else ''}", args=args)

    def texts(self) -> dict[str, str]:
        provider = _provider()
        if self.connection is None:
            return {"heading": f"Connect a {provider.name.lower()}", "intro": provider.description}
        name = self.connection.administration.name
        return {
            "heading": f"Upload a corrected file for {name}",
            "intro": f"The new file replaces the books of {name}: entries it changes are updated, entries it no "
            "longer has are deleted. History, settings and schedule stay.",
        }


def _context(flow: Flow, **extra: Any) -> dict[str, Any]:
    return {"provider": _provider(), "connection": flow.connection, **flow.texts(), **extra}


def _replaced_connection(request: MemberRequest, pk: int) -> Connection:
    return get_for_organization_or_404(
        Connection,
        request.organization,
        pk=pk,
        integration__provider_key=PROVIDER_KEY,
    )


def _pending_uploads(request: MemberRequest):
    """This user's uploads in this organisation that no administration has taken yet."""
    organization = request.organization
    taken = Administration.objects.filter(
        organization=organization, provider=PROVIDER_KEY, external_id=OuterRef("external_id")
    )
    return LedgerUpload.objects.for_organization(organization).filter(uploaded_by=request.user).exclude(Exists(taken))


class Expired(Exception):
    pass


def _pending_or_404(request: MemberRequest, upload_id: int) -> LedgerUpload:
    upload = _pending_uploads(request).filter(pk=upload_id).first()
    if upload is None:
        raise Http404("No such upload.")
    if upload.uploaded_at < timezone.now() - PENDING_FOR:
        upload.delete()
        raise Expired
    return upload


def _expired(request: MemberRequest, flow: Flow) -> HttpResponse:
    messages.info(request, "Upload the file again: it waited for more than an hour, and was removed.")
    return redirect(flow.url(""))


# --- step 1: upload -----------------------------------------------------------------------------------------------


def _tables_to_map(journal: Source, open_items: Source | None, report: Report) -> list[tuple]:
    """The tables whose headers the default names do not cover, as the columns form takes them:
    ``[(kind, title, headers, guessed columns)]``. Why a file cannot be read at all goes to ``report``."""
    with ExitStack() as stack:
        journal_book = stack.enter_context(open_workbook(journal, report))
        open_items_book = stack.enter_context(open_workbook(open_items, report)) if open_items else None
        tables = []
        if journal_book is not None:
            tables.append(("journal", journal_book.tables[0]))
            if open_items is None and len(journal_book.tables) > 1:
                tables.append(("open_items", journal_book.tables[1]))  # an XLSX workbook's second sheet
        if open_items_book is not None:
            tables.append(("open_items", open_items_book.tables[0]))
        return [
            (kind, _table_title(kind, table.label), table.headers, guess_columns(table.headers, kind))
            for kind, table in tables
            if resolve_columns(table.headers, {}, kind=kind, report=Report(), file=table.label) is None
        ]


def _table_title(kind: str, label: str) -> str:
    return f"{'Journal' if kind == 'journal' else 'Open items'}: {label}"


def _receives_files(view):
    """For a view whose form takes the files: each file is received through :class:`LimitedUploadHandler`. The
    handler must be in place before anything reads the request's body, which the CSRF middleware does; so the
    middleware leaves these views alone and the check is made here, before the view looks anything up."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers = [LimitedUploadHandler(request)]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


@_receives_files
@admin_required
def add(request: MemberRequest) -> HttpResponse:
    return _upload(request, Flow())


@_receives_files
@admin_required
def replace(request: MemberRequest, pk: int) -> HttpResponse:
    return _upload(request, Flow(_replaced_connection(request, pk)))


def _upload(request: MemberRequest, flow: Flow) -> HttpResponse:
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        too_large=getattr(request, "too_large", ()),
        with_name=flow.connection is None,
    )
    report = None
    if request.method == "POST" and form.is_valid():
        journal = Source.from_upload(form.cleaned_data["ledger"])
        open_items_file = form.cleaned_data.get("open_items")
        open_items = Source.from_upload(open_items_file) if open_items_file else None
        report = Report()
        needed = _tables_to_map(journal, open_items, report)
        if report.ok and not needed:
            with LedgerFile(journal, open_items, {}) as ledger:
                report = ledger.report
        if report.ok:
            upload = _store_pending(request, flow, form, journal, open_items)
            return redirect(flow.url("columns" if needed else "preview", upload))
        log.info("ledgerfile.upload_refused", problems=report.total)
    return render(request, "ledgerfile/upload.html", _context(flow, form=form, report=report))


def _store_pending(request: MemberRequest, flow: Flow, form: UploadForm, journal, open_items) -> LedgerUpload:
    organization = request.organization
    name = flow.connection.administration.name if flow.connection else form.cleaned_data["name"]
    _pending_uploads(request).filter(uploaded_at__lt=timezone.now() - PENDING_FOR).delete()
    return upload_store(
        organization=organization,
        external_id=new_external_id(),
        administration_name=name,
        journal=journal,
        open_items=open_items,
        columns={},
        user=request.user,
    )


# --- step 2: the columns ------------------------------------------------------------------------------------------


@admin_required
def add_columns(request: MemberRequest, upload: int) -> HttpResponse:
    return _columns(request, Flow(), upload)


@admin_required
def replace_columns(request: MemberRequest, pk: int, upload: int) -> HttpResponse:
    return _columns(request, Flow(_replaced_connection(request, pk)), upload)


def _columns(request: MemberRequest, flow: Flow, upload_id: int) -> HttpResponse:
    try:
        upload = _pending_or_404(request, upload_id)
    except Expired:
        return _expired(request, flow)
    if request.method == "POST" and request.POST.get("cancel"):
        return _cancel(request, flow, upload)
    journal, open_items = upload_sources(upload)
    report = Report()
    tables = _tables_to_map(journal, open_items, report)
    saved = split_columns(upload.columns)
    tables = [
        (kind, label, headers, (saved[0] if kind == "journal" else saved[1]) or guessed)
        for kind, label, headers, guessed in tables
    ]
    if not tables:  # the default layout: nothing to choose
        return redirect(flow.url("preview", upload))
    form = ColumnsForm(request.POST or None, tables=tables)
    shown_report = None
    if request.method == "POST" and form.is_valid():
        columns = form.mapping()
        with LedgerFile(journal, open_items, columns) as ledger:
            shown_report = ledger.report
        upload.columns = columns
        upload.save(update_fields=["columns"])
        if shown_report.ok:
            return redirect(flow.url("preview", upload))
    return render(
        request,
        "ledgerfile/columns.html",
        _context(flow, form=form, report=shown_report, upload=upload, back_url=flow.url("")),
    )


def _cancel(request: MemberRequest, flow: Flow, upload: LedgerUpload) -> HttpResponse:
    upload.delete()
    messages.info(request, "The upload is cancelled; nothing was imported.")
    return redirect(_card_url())


# --- step 3: preview and import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    date: dt.date
    entry: str
    account_code: str
    account_name: str
    description: str
    debit: Any
    credit: Any


def _preview_lines(ledger: LedgerFile) -> list[PreviewLine]:
    """The first journal lines as the import reads them (entry by entry, lines of zero left out)."""
    accounts = ledger.summary.accounts if ledger.summary else {}
    lines: list[PreviewLine] = []
    for record in ledger.transaction_records():
        for line in record.lines:
            account = accounts.get(line.account_external_id)
            lines.append(
                PreviewLine(
                    date=record.date,
                    entry=record.entry_number,
                    account_code=line.account_external_id,
                    account_name=account.name if account else "",
                    description=line.description or record.description,
                    debit=line.amount if line.amount > 0 else None,
                    credit=-line.amount if line.amount < 0 else None,
                )
            )
        if len(lines) >= PREVIEW_LINES:
            break
    return list(islice(lines, PREVIEW_LINES))


@admin_required
def add_preview(request: MemberRequest, upload: int) -> HttpResponse:
    return _preview(request, Flow(), upload)


@admin_required
def replace_preview(request: MemberRequest, pk: int, upload: int) -> HttpResponse:
    return _preview(request, Flow(_replaced_connection(request, pk)), upload)


def _preview(request: MemberRequest, flow: Flow, upload_id: int) -> HttpResponse:
    try:
        upload = _pending_or_404(request, upload_id)
    except Expired:
        return _expired(request, flow)
    if request.method == "POST":
        if request.POST.get("cancel"):
            return _cancel(request, flow, upload)
        return _import(request, flow, upload)
    journal, open_items = upload_sources(upload)
    with LedgerFile(journal, open_items, upload.columns) as ledger:
        report, summary = ledger.report, ledger.summary
        lines = _preview_lines(ledger) if report.ok else []
    mapped = bool(upload.columns)
    return render(
        request,
        "ledgerfile/preview.html",
        _context(
            flow,
            upload=upload,
            report=None if report.ok else report,
            summary=summary,
            lines=lines,
            mapped=mapped,
            open_items=_open_item_totals(summary),
            back_url=flow.url("columns", upload) if mapped else flow.url(""),
            back_label="Back to the columns" if mapped else "Choose another file",
        ),
    )


def _open_item_totals(summary) -> list[dict[str, Any]]:
    if summary is None or not summary.open_items:
        return []
    labels = {"receivable": "Receivable", "payable": "Payable"}
    return [
        {"side": side, "label": labels.get(side, side), "count": count, "amount": amount}
        for side, (count, amount) in sorted(summary.open_item_totals.items(), reverse=True)  # receivable first
    ]


def _import(request: MemberRequest, flow: Flow, upload: LedgerUpload) -> HttpResponse:
    journal, open_items = upload_sources(upload)
    organization = request.organization
    name = upload.administration_name
    try:
        if flow.connection is None:
            ledger_file_connect(
                organization=organization,
                administration_name=name,
                journal=journal,
                open_items=open_items,
                columns=upload.columns,
                user=request.user,
            )
            done = f"{name} is connected. The import has started."
        else:
            upload_replace(
                connection=flow.connection,
                journal=journal,
                open_items=open_items,
                columns=upload.columns,
                user=request.user,
            )
            done = f"The corrected file of {name} is uploaded. The import has started."
    except FileRefused as refused:
        messages.error(request, refused.user_message)
        return redirect(flow.url("preview", upload))
    except services.ConnectionRefused as refused:
        messages.error(request, str(refused))
        return redirect(flow.url("preview", upload))
    except services.SyncUnavailable as unavailable:
        upload.delete()
        messages.warning(request, f"The file of {name} is stored, but its import waits. {unavailable}")
        return redirect(_card_url())
    upload.delete()
    messages.success(request, done)
    return redirect(_card_url())
