"""The dashboards' part of the read API: what is read through the dashboards' selectors and the reporting mapping,
so that the API and the pages always agree.

- ``/api/v1/accounts/``: the chart of accounts with each account's reporting line;
- ``/api/v1/transactions/``: the transactions explorer's list;
- ``/api/v1/reports/pnl/`` and ``/api/v1/reports/balance-sheet/``: the statements, with whether every transaction
  is in yet (while a first import runs, the later months are the provider's monthly balances: ``complete``,
  ``lines_complete_through``, ``source_balances_from``);
- ``/api/v1/outstanding-items/`` and ``/api/v1/outstanding-items/aging/``: the open items and their aging, scoped
  like the page through ``OutstandingScope``; a past day without a snapshot is a 404 with a detail that says so;
- ``/api/v1/outstanding-items/payment-behaviour/`` and ``/api/v1/outstanding-items/forecast/``: how each relation
  pays, and the expected cash per week with its backtest, as the Expected cash page shows them;
- ``/api/v1/outstanding-items/notes/``: the notes and follow-ups on relations and their open items (read only:
  notes are written on the relation's page).

Every view reads through the organisation of the request (session or token); an administration, account or
relation id that is not the organisation's is a 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ledger.api.base import ScopedAPIView, ScopedListView
from ledger.api.serializers import AdministrationQuery
from ledger.models import (
    Account,
    Administration,
    CostCenter,
    OutstandingSide,
    Relation,
    RelationPaymentHabit,
    TransactionLine,
)
from monitr.api.errors import ERRORS
from monitr.api.pagination import ByIdPagination, CheckedCursorPagination

from ..behaviour import behaviour_of
from ..mapping import Statement
from ..models import AgingBasis
from ..selectors.completeness import LinesStatus, lines_status
from ..selectors.figures import outstanding_snapshot_status
from ..selectors.forecast import cash_forecast, forecast_backtest
from ..selectors.notes import author_shown, notes_list
from ..selectors.outstanding import outstanding_aging, outstanding_items_list
from ..selectors.scope import OutstandingScope, reads_ledger
from ..selectors.settings import outstanding_settings_get
from ..selectors.statements import StatementReport, StatementScope, statement_report
from ..selectors.transactions import transactions_list
from . import serializers as s
from .serializers import (
    AgingSerializer,
    ForecastQuerySerializer,
    ForecastSerializer,
    OutstandingItemSerializer,
    OutstandingQuerySerializer,
    PaymentBehaviourQuerySerializer,
    PaymentBehaviourSerializer,
)


@extend_schema(
    responses={200: s.AccountSerializer, **ERRORS},
    parameters=[AdministrationQuery],
    description="Chart of accounts with each account's reporting line.",
)
class AccountList(ScopedListView):
    serializer_class = s.AccountSerializer

    def get_queryset(self):
        rows = Account.objects.for_organization(self.organization).select_related("reporting_mapping")
        return self.filter_administration(rows, self.query().get("administration"))


class TransactionPagination(CheckedCursorPagination):
    ordering = ("-date", "-pk")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(
    responses={200: s.TransactionSerializer, **ERRORS},
    parameters=[s.TransactionQuery],
    description="Transactions with their lines, newest first; `amount` is the sum of the debits.",
)
class TransactionList(ScopedListView):
    serializer_class = s.TransactionSerializer
    pagination_class = TransactionPagination
    query_class = s.TransactionQuery

    def get_queryset(self):
        params = self.query()
        organization = self.organization
        account = _owned(Account, organization, params.get("account"), "account")
        relation = _owned(Relation, organization, params.get("relation"), "relation")
        rows = transactions_list(
            organization=organization,
            administration=self.administration_from(params.get("administration")),
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
            account=account,
            relation=relation,
            cost_center=_owned(CostCenter, organization, params.get("cost_center"), "cost centre"),
            transaction_type=params.get("type"),
            amount_min=params.get("amount_min"),
            amount_max=params.get("amount_max"),
            search=params.get("q"),
        )
        lines = TransactionLine.objects.order_by("line_number")
        return rows.prefetch_related(Prefetch("lines", queryset=lines)).order_by()


def _report_data(report: StatementReport, lines: LinesStatus) -> dict:
    def figures(f):
        return {"months": f.months, "total": f.total, "prior_months": f.prior_months, "prior_total": f.prior_total}

    return {
        "statement": str(report.statement),
        "year": report.scope.year,
        "month": report.scope.month,
        "through": report.scope.through,
        "prior_through": report.scope.prior_through,
        "administration": report.scope.administration.pk if report.scope.administration else None,
        "complete": lines.complete,
        "lines_complete_through": lines.through,
        "source_balances_from": lines.source_from,
        "unmapped_accounts": report.unmapped_count,
        "rows": [
            {
                "kind": row.kind,
                "line": row.line,
                "label": row.label,
                "figures": figures(row.figures),
                "accounts": [
                    {"id": a.account.pk, "code": a.account.code, "name": a.account.name, "figures": figures(a.figures)}
                    for a in row.accounts
                ],
            }
            for row in report.rows
        ],
    }


def _owned(model: Any, organization: Any, pk: int | None, noun: str) -> Any:
    """The organisation's ``model`` row of id ``pk`` (None when not asked for); another organisation's is a 404."""
    if pk is None:
        return None
    found = model.objects.for_organization(organization).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No such {noun} in this organisation.")
    return found


class _ReportView(ScopedAPIView):
    statement: Statement
    query_class: type[s.ReportQuery] = s.ReportQuery

    def get(self, request: Request) -> Response:
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        today = timezone.localdate()
        year = params.get("year", today.year)
        month = params.get("month", today.month if year == today.year else 12)
        administration = self.administration_from(params.get("administration"))
        scope = StatementScope(
            organization=self.organization,
            year=year,
            month=month,
            administration=administration,
            today=today,
            cost_center=_owned(CostCenter, self.organization, params.get("cost_center"), "cost centre"),
        )
        report = statement_report(scope=scope, statement=self.statement)
        shown = [administration] if administration else Administration.objects.for_organization(self.organization)
        lines = lines_status(administrations=shown)
        return Response(s.ReportSerializer(_report_data(report, lines)).data)


@extend_schema(
    parameters=[s.ProfitAndLossQuery],
    responses={200: s.ReportSerializer, **ERRORS},
    description=(
        "The P&L by month through the account mapping, with the prior year; revenue shown positive. "
        "With `cost_center`, only what was booked on that cost centre."
    ),
)
class ProfitAndLossReport(_ReportView):
    statement = Statement.PROFIT_AND_LOSS
    query_class = s.ProfitAndLossQuery


@extend_schema(
    parameters=[s.ReportQuery],
    responses={200: s.ReportSerializer, **ERRORS},
    description="The balance sheet at each month's end, with the prior year; equity and liabilities positive.",
)
class BalanceSheetReport(_ReportView):
    statement = Statement.BALANCE_SHEET


_FILTERS = [
    OpenApiParameter("administration", OpenApiTypes.INT, description="An administration's id; default all."),
    OpenApiParameter("side", OpenApiTypes.STR, enum=list(OutstandingSide.values)),
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="A past day (2000 on), read from its snapshot; default today."
    ),
    OpenApiParameter("basis", OpenApiTypes.STR, enum=list(AgingBasis.values), description="Default: saved setting."),
]


class _OutstandingView(ScopedAPIView):
    def parse(self, request: Request) -> tuple[OutstandingScope, dict]:
        today = timezone.localdate()
        query = OutstandingQuerySerializer(data=request.query_params, today=today)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        organization = self.organization
        administration = self.administration_from(params.get("administration"))
        settings = outstanding_settings_get(organization=organization)
        scope = OutstandingScope(
            organization=organization,
            administration=administration,
            side=OutstandingSide(params.get("side", OutstandingSide.RECEIVABLE)),
            as_of=params.get("as_of", today),
            today=today,
            basis=AgingBasis(params.get("basis", settings.basis)),
            boundaries=tuple(settings.boundaries),
        )
        if not scope.is_live and not reads_ledger(scope):
            chosen = [administration] if administration else list(Administration.objects.for_organization(organization))
            status = outstanding_snapshot_status(organization=organization, administrations=chosen, as_of=scope.as_of)
            if chosen and status.missing_all:
                earlier = f" The nearest earlier one is of {status.nearest_earlier}." if status.nearest_earlier else ""
                raise NotFound(
                    f"No snapshot for {scope.as_of}: Monitr keeps one per day from the first import on.{earlier}"
                )
        return scope, params


@extend_schema(
    parameters=[
        *_FILTERS,
        OpenApiParameter("relation", OpenApiTypes.INT, description="A relation's id."),
        OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only overdue items (true) or the others (false)."),
    ],
    responses={200: OutstandingItemSerializer, **ERRORS},
    description="The open items, both sides unless `side` is given; paginated with a cursor, oldest id first.",
)
class OutstandingItemsView(_OutstandingView, ListAPIView):
    serializer_class = OutstandingItemSerializer
    pagination_class = ByIdPagination

    def get_queryset(self):
        scope, params = self.parse(self.request)
        self.scope = scope
        relation = None
        if "relation" in params:
            relation = Relation.objects.for_organization(scope.organization).filter(pk=params["relation"]).first()
            if relation is None:
                raise NotFound("No such relation in this organisation.")
        return outstanding_items_list(
            scope=scope, relation=relation, overdue=params.get("overdue"), both_sides="side" not in params
        )

    def get_serializer_context(self) -> dict:
        context = dict(super().get_serializer_context())
        scope = getattr(self, "scope", None)
        context["as_of"] = scope.as_of if scope else timezone.localdate()
        return context


class OutstandingAgingView(_OutstandingView):
    @extend_schema(
        parameters=_FILTERS,
        responses={200: AgingSerializer, **ERRORS},
        description=(
            "The aging buckets of one side (default receivables): the open invoices by age. Credits (credit notes, "
            "unapplied payments) are in no bucket and never overdue; buckets plus `credit` add up to `total`."
        ),
    )
    def get(self, request: Request) -> Response:
        scope, _ = self.parse(request)
        aging = outstanding_aging(scope=scope)
        data = {
            "as_of": scope.as_of,
            "source": "live" if scope.is_live else "books" if reads_ledger(scope) else "snapshot",
            "administration": scope.administration.pk if scope.administration else None,
            "side": scope.side,
            "basis": scope.basis,
            "boundaries": list(scope.boundaries),
            "total": aging.total,
            "overdue": aging.overdue,
            "credit": aging.credit,
            "credit_count": aging.credit_count,
            "count": aging.count,
            "without_due_date": aging.without_due_date,
            "buckets": aging.buckets,
        }
        return Response(AgingSerializer(data).data)


@extend_schema(
    parameters=[
        OpenApiParameter("administration", OpenApiTypes.INT, description="An administration's id."),
        OpenApiParameter("side", OpenApiTypes.STR, enum=list(OutstandingSide.values), description="Default both."),
    ],
    responses={200: PaymentBehaviourSerializer, **ERRORS},
    description=(
        "How each relation pays: customers (receivable) their invoices to us, and we (payable) the suppliers'. "
        "Counted from the open items rebuilt from the books at the last import, rated with the reason (English). "
        "Paginated with a cursor."
    ),
)
class PaymentBehaviourView(ScopedAPIView, ListAPIView):
    serializer_class = PaymentBehaviourSerializer
    pagination_class = ByIdPagination

    def get_queryset(self):
        query = PaymentBehaviourQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = RelationPaymentHabit.objects.for_organization(self.organization).select_related("relation")
        if "administration" in params:
            rows = rows.filter(administration=self.administration_from(params["administration"]))
        if "side" in params:
            rows = rows.filter(side=params["side"])
        return rows

    def list(self, request: Request, *args, **kwargs) -> Response:
        with translation.override(django_settings.LANGUAGE_CODE):  # the reasons in English: programs read them
            return super().list(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else [behaviour_of(habit) for habit in page]


@extend_schema(
    parameters=[
        OpenApiParameter("administration", OpenApiTypes.INT, description="An administration's id; default all."),
        OpenApiParameter(
            "side", OpenApiTypes.STR, enum=list(OutstandingSide.values), description="Default receivable."
        ),
    ],
    responses={200: ForecastSerializer, **ERRORS},
    description=(
        "Expected cash-in (receivable) or cash-out (payable) per week for the 13 weeks after today: each open "
        "invoice at its due date plus its relation's usual delay, else by the organisation's collection curve; "
        "those of relations that do not pay and those beyond the curve's last step past due are `unlikely`. The "
        "weeks, `later` and `unlikely` add up to `open_total`. `backtest`: the same forecast made on past days "
        "against what was paid, as the mean absolute error per week, and that of “paid on the due date”."
    ),
)
class CashForecastView(ScopedAPIView):
    def get(self, request: Request) -> Response:
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        today = timezone.localdate()
        settings = outstanding_settings_get(organization=self.organization)
        scope = OutstandingScope(
            organization=self.organization,
            administration=self.administration_from(params.get("administration")),
            side=OutstandingSide(params.get("side", OutstandingSide.RECEIVABLE)),
            as_of=today,
            today=today,
        )
        curve = settings.collection_curve
        made = cash_forecast(scope=scope, curve=curve)
        data = {
            "as_of": today,
            "administration": scope.administration.pk if scope.administration else None,
            "side": scope.side,
            "curve": curve,
            "weeks": made.weeks,
            "later": made.later,
            "unlikely": made.unlikely,
            "unlikely_items": made.unlikely_items,
            "open_total": made.open_total,
            "backtest": forecast_backtest(scope=scope, curve=curve),
        }
        return Response(ForecastSerializer(data).data)


@extend_schema(
    parameters=[s.NoteQuerySerializer],
    responses={200: s.NoteSerializer, **ERRORS},
    description=(
        "The notes and follow-ups written in Monitr on relations and their open items, oldest id first; paginated "
        "with a cursor. Read only."
    ),
)
class RelationNotesView(ScopedListView):
    serializer_class = s.NoteSerializer
    query_class = s.NoteQuerySerializer

    def get_queryset(self):
        params = self.query()
        rows = notes_list(
            organization=self.organization,
            relation=_owned(Relation, self.organization, params.get("relation"), "relation"),
            side=params.get("side"),
            administration=self.administration_from(params.get("administration")),
        )
        if params.get("open") is not None:
            is_open = Q(done_at__isnull=True) & (Q(follow_up_on__isnull=False) | Q(promised_on__isnull=False))
            rows = rows.filter(is_open) if params["open"] else rows.exclude(is_open)
        return rows

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for note in page or []:
            note.author_shown = author_shown(
                name_then=note.author_name, author=note.author, is_member=note.author_is_member
            )
        return page
