"""The Ledger file pages: upload → map the columns (only for a file not in the default layout) → check → preview →
import.

The same steps connect a new administration (Add on the card) or replace the file of a connected one (the gear's
"Upload a corrected file"). Between the steps the files wait server-side as a pending
:class:`~ledgerfile.models.LedgerUpload`: an upload under an external id of its own that no administration has,
uploaded by this user in this organisation less than :data:`PENDING_FOR` ago. The file is checked whole once, when
its columns are known: a small file in the request, a large one in the worker while the check page shows how far it
is (see ``ledgerfile.services.upload_check_start``). The check's outcome stays with the upload, so the preview shows
it without reading the file again, and Import connects the upload as it is: it becomes the administration's file.
Cancelling deletes it; one left behind is deleted with the abandoned uploads (:mod:`ledgerfile.services`). Only
admins reach these pages, and every query is scoped to the organisation.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django_htmx.http import HttpResponseClientRedirect

from integrations import registry, services
from integrations.models import Connection
from ledger.models import Administration
from monitr.logs import get_logger
from monitr.tenancy.access import admin_required
from monitr.tenancy.requests import MemberRequest
from monitr.tenancy.scoping import get_for_organization_or_404
from monitr.web.stored_text import shown

from .columns import guess_columns, resolve_columns, split_columns
from .models import CheckState, LedgerUpload
from .outcome import CheckSummary
from .reading import Source, open_workbook
from .report import FileRefused, Report
from .services import (
    PROVIDER_KEY,
    ledger_file_connect,
    new_external_id,
    upload_check_stalled,
    upload_check_start,
    upload_check_waits_long,
    upload_replace,
    upload_sources,
    upload_store,
)
from .web_forms import ColumnsForm, LimitedUploadHandler, UploadForm

log = get_logger(__name__)

# How long the files of an upload wait for the next step.
PENDING_FOR = dt.timedelta(hours=1)


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
            return {"heading": gettext("Connect a ledger file"), "intro": str(provider.description)}
        name = self.connection.administration.name
        return {
            "heading": gettext("Upload a corrected file for %(name)s") % {"name": name},
            "intro": gettext(
                "The new file replaces the books of %(name)s: entries it changes are updated, entries it no longer "
                "has are deleted. History, settings and schedule stay."
            )
            % {"name": name},
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


def _step_upload(request: MemberRequest, flow: Flow, upload_id: int) -> LedgerUpload | HttpResponse:
    """The pending upload a step after the upload works on, or where the visitor goes instead: back to a new upload
    when it expired, out of the flow when they cancelled."""
    try:
        upload = _pending_or_404(request, upload_id)
    except Expired:
        return _expired(request, flow)
    if request.method == "POST" and request.POST.get("cancel"):
        return _cancel(request, flow, upload)
    return upload


def _expired(request: MemberRequest, flow: Flow) -> HttpResponse:
    messages.info(request, gettext("Upload the file again: it waited for more than an hour, and was removed."))
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
    if kind == "journal":
        return gettext("Journal: %(file)s") % {"file": shown(label)}
    return gettext("Open items: %(file)s") % {"file": shown(label)}


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
        if report.ok:
            upload = _store_pending(request, flow, form, journal, open_items)
            if needed:
                return redirect(flow.url("columns", upload))
            upload = upload_check_start(upload)
            if upload.check_state != CheckState.REFUSED:
                return redirect(flow.url("preview" if upload.check_state == CheckState.PASSED else "check", upload))
            report = Report.from_data(upload.report or {})
            upload.delete()  # refused at once: the form stays as it was, with the report; nothing is kept
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
    upload = _step_upload(request, flow, upload_id)
    if isinstance(upload, HttpResponse):
        return upload
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
        upload.columns = form.mapping()
        upload.save(update_fields=["columns"])
        upload = upload_check_start(upload)
        if upload.check_state != CheckState.REFUSED:
            return redirect(flow.url("preview" if upload.check_state == CheckState.PASSED else "check", upload))
        shown_report = Report.from_data(upload.report or {})
    return render(
        request,
        "ledgerfile/columns.html",
        _context(flow, form=form, report=shown_report, upload=upload, back_url=flow.url("")),
    )


def _cancel(request: MemberRequest, flow: Flow, upload: LedgerUpload) -> HttpResponse:
    upload.delete()
    messages.info(request, gettext("The upload is cancelled; nothing was imported."))
    return redirect(_card_url())


# --- the check, when it runs in the worker ------------------------------------------------------------------------


@admin_required
def add_check(request: MemberRequest, upload: int) -> HttpResponse:
    return _check(request, Flow(), upload)


@admin_required
def replace_check(request: MemberRequest, pk: int, upload: int) -> HttpResponse:
    return _check(request, Flow(_replaced_connection(request, pk)), upload)


def _back(flow: Flow, upload: LedgerUpload) -> dict[str, str]:
    """Where the pages after the upload go back to: the columns when they were chosen, else a new file."""
    if upload.columns:
        return {"back_url": flow.url("columns", upload), "back_label": gettext("Back to the columns")}
    return {"back_url": flow.url(""), "back_label": gettext("Choose another file")}


def _check(request: MemberRequest, flow: Flow, upload_id: int) -> HttpResponse:
    """How far the check of a large file is (the status polls itself every second), then where it leads: the preview
    when the file passed, its report when it did not."""
    upload = _step_upload(request, flow, upload_id)
    if isinstance(upload, HttpResponse):
        return upload
    if request.method == "POST":
        upload_check_start(upload)
        return redirect(flow.url("check", upload))
    state = upload.check_state
    checking = state in {CheckState.WAITING, CheckState.RUNNING}
    if request.htmx and not checking:
        return HttpResponseClientRedirect(flow.url("check", upload))
    if state == CheckState.PASSED:
        return redirect(flow.url("preview", upload))
    if state == CheckState.NOT_ASKED:
        return redirect(flow.url("columns", upload))
    context = _context(
        flow,
        upload=upload,
        checking=checking,
        stalled=upload_check_stalled(upload),
        waits_long=upload_check_waits_long(upload),
        report=None if checking else Report.from_data(upload.report or {}),
        **_back(flow, upload),
    )
    template = "ledgerfile/_check_status.html" if request.htmx else "ledgerfile/check.html"
    return render(request, template, context)


# --- step 3: preview and import -------------------------------------------------------------------------------------


@admin_required
def add_preview(request: MemberRequest, upload: int) -> HttpResponse:
    return _preview(request, Flow(), upload)


@admin_required
def replace_preview(request: MemberRequest, pk: int, upload: int) -> HttpResponse:
    return _preview(request, Flow(_replaced_connection(request, pk)), upload)


def _preview(request: MemberRequest, flow: Flow, upload_id: int) -> HttpResponse:
    """What the check found, as it was kept with the upload: the file is not read again."""
    upload = _step_upload(request, flow, upload_id)
    if isinstance(upload, HttpResponse):
        return upload
    if upload.check_state != CheckState.PASSED or not upload.summary:
        return redirect(flow.url("check", upload))
    if request.method == "POST":
        return _import(request, flow, upload)
    summary = CheckSummary.from_data(upload.summary)
    context = _context(flow, upload=upload, summary=summary, mapped=bool(upload.columns), **_back(flow, upload))
    return render(request, "ledgerfile/preview.html", context)


def _import(request: MemberRequest, flow: Flow, upload: LedgerUpload) -> HttpResponse:
    """The checked upload becomes the administration's file as it is: nothing is read, checked or copied again."""
    organization = request.organization
    name = upload.administration_name
    try:
        if flow.connection is None:
            ledger_file_connect(organization=organization, upload=upload, user=request.user)
            done = gettext("%(name)s is connected. The import has started.") % {"name": name}
        else:
            upload_replace(connection=flow.connection, upload=upload, user=request.user)
            done = gettext("The corrected file of %(name)s is uploaded. The import has started.") % {"name": name}
    except FileRefused as refused:
        messages.error(request, str(refused.user_message))
        return redirect(flow.url("check", upload))
    except services.ConnectionRefused as refused:
        messages.error(request, str(refused))
        return redirect(flow.url("preview", upload))
    except services.SyncUnavailable as unavailable:
        messages.warning(
            request,
            gettext("The file of %(name)s is stored, but its import waits. %(reason)s")
            % {"name": name, "reason": unavailable},
        )
        return redirect(_card_url())
    messages.success(request, done)
    return redirect(_card_url())
