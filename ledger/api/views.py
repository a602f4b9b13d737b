"""The read API's views. Each reads through the organisation of the request (session or token) and the same
selectors as the pages, so the API and the dashboards always agree."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from dashboards.mapping import Statement
from dashboards.selectors.statements import StatementReport, StatementScope, statement_report
from dashboards.selectors.transactions import transactions_list
from ledger.models import Account, Administration, Relation, TransactionLine

from . import serializers as s
from .base import ERRORS, ByIdPagination, CheckedCursorPagination, ScopedAPIView


class _ListView(ScopedAPIView, ListAPIView):
    pagination_class: type[CheckedCursorPagination] = ByIdPagination
    query_class: type = s.AdministrationQuery

    def query(self) -> dict:
        query = self.query_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


@extend_schema(
    responses={200: s.AdministrationSerializer, **ERRORS},
    parameters=[s.AdministrationQuery],
    description="The organisation's administrations.",
)
class AdministrationList(_ListView):
    serializer_class = s.AdministrationSerializer

    def get_queryset(self):
        return Administration.objects.for_organization(self.organization)


@extend_schema(
    responses={200: s.AccountSerializer, **ERRORS},
    parameters=[s.AdministrationQuery],
    description="Chart of accounts with each account's reporting line.",
)
class AccountList(_ListView):
    serializer_class = s.AccountSerializer

    def get_queryset(self):
        rows = Account.objects.for_organization(self.organization).select_related("reporting_mapping")
        return self.filter_administration(rows, self.query().get("administration"))


@extend_schema(
    responses={200: s.LedgerRelationSerializer, **ERRORS},
    parameters=[s.AdministrationQuery],
    description="Customers and suppliers.",
)
class RelationList(_ListView):
    serializer_class = s.LedgerRelationSerializer

    def get_queryset(self):
        rows = Relation.objects.for_organization(self.organization)
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
class TransactionList(_ListView):
    serializer_class = s.TransactionSerializer
    pagination_class = TransactionPagination
    query_class = s.TransactionQuery

    def get_queryset(self):
        params = self.query()
        organization = self.organization
        account = relation = None
        if "account" in params:
            account = Account.objects.for_organization(organization).filter(pk=params["account"]).first()
            if account is None:
                raise NotFound("No such account in this organisation.")
        if "relation" in params:
            relation = Relation.objects.for_organization(organization).filter(pk=params["relation"]).first()
            if relation is None:
                raise NotFound("No such relation in this organisation.")
        rows = transactions_list(
            organization=organization,
            administration=self.administration_from(params.get("administration")),
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
            account=account,
            relation=relation,
            transaction_type=params.get("type"),
            amount_min=params.get("amount_min"),
            amount_max=params.get("amount_max"),
            search=params.get("q"),
        )
        lines = TransactionLine.objects.order_by("line_number")
        return rows.prefetch_related(Prefetch("lines", queryset=lines)).order_by()


def _report_data(report: StatementReport) -> dict:
    def figures(f):
        return {"months": f.months, "total": f.total, "prior_months": f.prior_months, "prior_total": f.prior_total}

    return {
        "statement": str(report.statement),
        "year": report.scope.year,
        "month": report.scope.month,
        "administration": report.scope.administration.pk if report.scope.administration else None,
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


class _ReportView(ScopedAPIView):
    statement: Statement

    def get(self, request: Request) -> Response:
        query = s.ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        today = timezone.localdate()
        year = params.get("year", today.year)
        month = params.get("month", today.month if year == today.year else 12)
        scope = StatementScope(
            organization=self.organization,
            year=year,
            month=month,
            administration=self.administration_from(params.get("administration")),
        )
        report = statement_report(scope=scope, statement=self.statement)
        return Response(s.ReportSerializer(_report_data(report)).data)


@extend_schema(
    parameters=[s.ReportQuery],
    responses={200: s.ReportSerializer, **ERRORS},
    description="The P&L by month through the account mapping, with the prior year; revenue shown positive.",
)
class ProfitAndLossReport(_ReportView):
    statement = Statement.PROFIT_AND_LOSS


@extend_schema(
    parameters=[s.ReportQuery],
    responses={200: s.ReportSerializer, **ERRORS},
    description="The balance sheet at each month's end, with the prior year; equity and liabilities positive.",
)
class BalanceSheetReport(_ReportView):
    statement = Statement.BALANCE_SHEET
