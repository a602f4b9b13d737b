"""The P&L and the balance sheet, their drill-downs (a line's accounts, an account's lines, a transaction) and the
account mapping page.

Views are thin: the filter form, one or two selector calls, a template. Every read starts from the organisation
(``StatementScope`` and ``for_organization``): another organisation's account or transaction is a 404. A figure
links to its line's accounts, an account to its lines for the same period, a line to its transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ledger.imports import first_imports
from ledger.models import Account, AccountKind, Administration, Transaction
from ledger.services import accounts_mark_reviewed
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from ..forms import whole_number
from ..mapping import BALANCE_LINES, PNL_LINES, UNMAPPED, ReportingLine, Statement, mappable_lines
from ..selectors.capabilities import reporting_axes
from ..selectors.completeness import lines_status
from ..selectors.overview import overview_figures
from ..selectors.scope import administrations_list
from ..selectors.statements import StatementScope, account_ledger, line_info, mapped_accounts, statement_report
from ..services import account_mapping_set
from ..statement_forms import StatementFilterForm
from .states import imports_context, not_connected, waiting

LINES_PER_PAGE = 100
TITLES = {
    Statement.PROFIT_AND_LOSS: gettext_lazy("Profit and loss"),
    Statement.BALANCE_SHEET: gettext_lazy("Balance sheet"),
}
PAGE_KEYS = {Statement.PROFIT_AND_LOSS: "pnl", Statement.BALANCE_SHEET: "balance_sheet"}


def _form(request: MemberRequest) -> StatementFilterForm | None:
    administrations = administrations_list(organization=request.organization)
    if not administrations:
        return None
    return StatementFilterForm(
        request.GET,
        organization=request.organization,
        administrations=administrations,
        today=timezone.localdate(),
    )


def _lines_context(form: StatementFilterForm, scope: StatementScope) -> dict[str, Any]:
    """What a page of statement figures says of transactions still coming: ``lines`` (the administrations still
    importing theirs) and ``prior_month_whole`` (the prior year's last month counts whole until its lines are in)."""
    lines = lines_status(administrations=form.chosen_administrations)
    return {"lines": lines, "prior_month_whole": lines.prior_month_whole(scope)}


def _statement(request: MemberRequest, statement: Statement) -> HttpResponse:
    form = _form(request)
    page_key = PAGE_KEYS[statement]
    if form is None:
        return not_connected(request, page_key)
    imports = first_imports(administrations=form.chosen_administrations)
    if (page := waiting(request, page_key, imports, form.chosen_administration)) is not None:
        return page
    scope = form.scope(by_cost_centre=statement == Statement.PROFIT_AND_LOSS)
    report = statement_report(scope=scope, statement=statement)
    context: dict[str, Any] = {
        "form": form,
        "scope": scope,
        "report": report,
        "statement": statement,
        "title": TITLES[statement],
        "drill_query": form.query(m=None, page=None),
        "prior_query": form.query(m=None, page=None, year=scope.year - 1),
        "axes": reporting_axes(organization=request.organization, administrations=form.chosen_administrations),
        "cost_centre_filter": statement == Statement.PROFIT_AND_LOSS,
        "is_balance": statement == Statement.BALANCE_SHEET,
        # A balance sheet's last month is its balance at the period's end, the figure the bold column shows to the
        # cent: it is not shown twice.
        "months": scope.months[:-1] if statement == Statement.BALANCE_SHEET else scope.months,
        **_lines_context(form, scope),
        **imports_context(page_key, imports, form.chosen_administration),
    }
    return render(request, "dashboards/statement.html", context)


@require_GET
@member_required
def profit_and_loss(request: MemberRequest) -> HttpResponse:
    return _statement(request, Statement.PROFIT_AND_LOSS)


@require_GET
@member_required
def balance_sheet(request: MemberRequest) -> HttpResponse:
    return _statement(request, Statement.BALANCE_SHEET)


@require_GET
@member_required
def statement_line(request: MemberRequest, statement: str, line: str) -> HttpResponse:
    """The accounts behind one figure of a statement: each account's figure for the same month or year to date."""
    if statement not in Statement.values or line_info(statement=statement, line=line) is None:
        raise Http404("No such line.")
    form = _form(request)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope(by_cost_centre=statement == Statement.PROFIT_AND_LOSS)
    report = statement_report(scope=scope, statement=statement)
    row = next((r for r in report.rows if r.kind == "line" and r.line == line), None)
    if row is None:
        raise Http404("No such line.")
    month = form.value("m")
    shown = month if month and month <= scope.month else None
    context = {
        "form": form,
        "scope": scope,
        # The period of the figure: a month (its first day to its end, or to today while it runs) or the year to date.
        "period_start": scope.month_start(shown) if shown else scope.start,
        "period_end": scope.through if not shown or shown == scope.month else scope.month_end(shown),
        "statement": Statement(statement),
        "title": TITLES[Statement(statement)],
        "row": row,
        "month": shown,
        "figure": row.figures.months[shown - 1] if shown else row.figures.total,
        "accounts": [
            {"row": a, "figure": a.figures.months[shown - 1] if shown else a.figures.total} for a in row.accounts
        ],
        "account_query": form.query(page=None, administration=None),
        "back_query": form.query(m=None, page=None),
        "is_balance": statement == Statement.BALANCE_SHEET,
        **_lines_context(form, scope),
    }
    return render(request, "dashboards/statement_line.html", context)


@require_GET
@member_required
def account_detail(request: MemberRequest, pk: int) -> HttpResponse:
    """An account's lines behind a statement figure (a month, or the year to date; a balance from the start)."""
    account = get_object_or_404(
        Account.objects.for_organization(request.organization).select_related("administration"),
        pk=pk,
    )
    form = _form(request)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope(by_cost_centre=account.kind == AccountKind.PROFIT_AND_LOSS)
    month = form.value("m")
    if month and month > scope.month:
        month = None
    ledger = account_ledger(scope=scope, account=account, month=month)
    page = Paginator(ledger.lines, LINES_PER_PAGE).get_page(form.value("page"))
    accounts = {
        a.pk: a for a in mapped_accounts(organization=request.organization, administration=account.administration)
    }
    mapped = accounts[account.pk]
    statement = mapped.statement
    info = line_info(statement=statement, line=mapped.line)
    context = {
        "form": form,
        "scope": scope,
        "account": account,
        "mapped": mapped,
        "info": info,
        "statement": statement,
        "ledger": ledger,
        "shown_total": ledger.total * info.sign if info else ledger.total,
        "lines": page,
        "month": month,
        "page_query": form.query(page=None),
        # The lines listed are those imported so far while the account's administration is still importing.
        "lines_pending": lines_status(administrations=[account.administration]),
    }
    return render(request, "dashboards/account.html", context)


@require_GET
@member_required
def transaction_detail(request: MemberRequest, pk: int) -> HttpResponse:
    """A transaction with all its lines, whichever account it was reached from."""
    transaction = get_object_or_404(
        Transaction.objects.for_organization(request.organization).select_related("administration", "relation"),
        pk=pk,
    )
    lines = list(transaction.lines.select_related("account", "relation", "cost_center").order_by("line_number"))
    context = {
        "transaction": transaction,
        "lines": lines,
        "debit": sum((line.amount for line in lines if line.amount > 0), start=transaction.imbalance * 0),
        "credit": -sum((line.amount for line in lines if line.amount < 0), start=transaction.imbalance * 0),
    }
    return render(request, "dashboards/transaction.html", context)


@require_http_methods(["GET", "POST"])
@member_required
def account_mapping(request: MemberRequest) -> HttpResponse:
    """Every account with its reporting line; admins move one to another line (or back to the default)."""
    if request.method == "POST":
        if not request.membership.is_admin:
            raise Http404("Only admins change the mapping.")
        if request.POST.get("action") == "reviewed":
            administrations = Administration.objects.for_organization(request.organization)
            accounts_mark_reviewed(administrations=administrations)
            messages.success(request, _("The chart of accounts is marked as reviewed: no account is new any more."))
            return redirect(request.path)
        account_id = request.POST.get("account", "")
        account = get_object_or_404(
            Account.objects.for_organization(request.organization).select_related("administration"),
            # Not a number (or one no id can be): no such account, a 404 like any other.
            pk=int(account_id) if whole_number(account_id) and len(account_id) < 12 else 0,
        )
        try:
            account_mapping_set(organization=request.organization, account=account, line=request.POST.get("line"))
        except ValidationError as error:
            messages.error(
                request,
                _("%(account)s was not moved: %(reason)s") % {"account": account, "reason": " ".join(error.messages)},
            )
        else:
            messages.success(request, _("%(account)s saved.") % {"account": account})
        return redirect(f"{request.path}?{request.POST.get('next_query', '')}")
    accounts = mapped_accounts(organization=request.organization)
    if not accounts and not administrations_list(organization=request.organization):
        return not_connected(request, "account_mapping")
    only_unmapped = request.GET.get("unmapped") == "1"
    only_new = not only_unmapped and request.GET.get("new") == "1"
    unmapped = [a for a in accounts if not a.is_mapped]
    new = [a for a in accounts if a.is_new]
    labels = {str(i.line): i.label for i in PNL_LINES + BALANCE_LINES}
    not_mapped = _("Not mapped")
    choices = {
        statement: [(line, labels[line]) for line in labels if line in mappable_lines(statement)]
        for statement in Statement
    }
    rows = [
        {
            "account": a,
            "line_label": labels.get(a.line, not_mapped),
            "default_label": labels.get(a.default_line or UNMAPPED, not_mapped),
            "choices": choices[a.statement],
        }
        for a in (unmapped if only_unmapped else new if only_new else accounts)
    ]
    context = {
        "rows": rows,
        "unmapped_count": len(unmapped),
        "new_count": len(new),
        "only_new": only_new,
        "override_count": sum(1 for a in accounts if a.override),
        "only_unmapped": only_unmapped,
        "next_query": request.GET.urlencode(),
        "total": len(accounts),
        # The administration column only where there is more than one to tell apart.
        "several_administrations": len({a.administration_id for a in accounts}) > 1,
        "reporting_lines": ReportingLine,
    }
    return render(request, "dashboards/account_mapping.html", context)


@require_GET
@member_required
def overview(request: MemberRequest) -> HttpResponse:
    """Revenue, margin, result, cash, receivables and payables by month against the prior year, with a chart."""
    form = _form(request)
    if form is None:
        return not_connected(request, "overview")
    imports = first_imports(administrations=form.chosen_administrations)
    if (page := waiting(request, "overview", imports, form.chosen_administration)) is not None:
        return page
    scope = form.scope()
    figures = overview_figures(scope=scope)
    context = {
        "form": form,
        "scope": scope,
        "figures": figures,
        **_lines_context(form, scope),
        **imports_context("overview", imports, form.chosen_administration),
        "drill_query": form.query(m=None, page=None),
        "axes": reporting_axes(organization=request.organization, administrations=form.chosen_administrations),
        "chart": {
            "months": [date_format(m, "M") for m in scope.months],  # "May", in Dutch "mei"
            "year": scope.year,
            "series": {f.key: [str(v) for v in f.figures.months] for f in figures},
            "prior": {f.key: [str(v) for v in f.figures.prior_months] for f in figures},
        },
    }
    return render(request, "dashboards/overview.html", context)
