"""Monthly balances: the lines' rows follow every write of lines exactly; the source's rows stand in for the months a
first import has not reached; statements read the one or the other by ``lines_complete_through``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.db.models.functions import Coalesce, TruncMonth

from ledger.models import LINES_COMPLETE, Account, BalanceBasis, MonthlyBalance, TransactionLine
from ledger.services import (
    lines_complete_advance,
    lines_complete_mark,
    lines_complete_reset,
    monthly_balances_from_source,
    monthly_balances_from_source_months,
    monthly_balances_rebuild,
    transactions_delete_missing,
    transactions_upsert,
)

from .factories import journal, sale

pytestmark = pytest.mark.django_db


def _stored(administration, basis=BalanceBasis.LINES) -> dict[tuple[str, date, int], Decimal]:
    rows = MonthlyBalance.objects.filter(administration=administration, basis=basis).exclude(amount=0)
    return {
        (external_id, month, key): amount
        for external_id, month, key, amount in rows.values_list(
            "account__external_id", "month", "cost_center_key", "amount"
        )
    }


def _from_lines(administration) -> dict[tuple[str, date, int], Decimal]:
    rows = (
        TransactionLine.objects.filter(administration=administration)
        .annotate(month=TruncMonth("date"), key=Coalesce("cost_center_id", 0))
        .values_list("account__external_id", "month", "key")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(a, m, k): t for a, m, k, t in rows if t}


def test_written_lines_add_up_per_account_month_and_cost_centre(administration):
    cost_centre = administration.cost_centers.get(external_id="cc-1")
    tagged = sale("3", amount="242.00", day=date(2025, 4, 2))
    tagged = replace(
        tagged, lines=(*tagged.lines[:1], replace(tagged.lines[1], cost_center_external_id="cc-1"), tagged.lines[2])
    )
    transactions_upsert(
        administration=administration,
        transactions=[
            sale("1"),
            sale("2", amount="60.50"),
            tagged,
            journal("4", "5.00", "-5.00", day=date(2025, 4, 30)),
        ],
    )

    stored = _stored(administration)
    assert stored == _from_lines(administration)
    assert stored[("debtors", date(2025, 3, 1), 0)] == Decimal("181.50")
    assert stored[("revenue", date(2025, 4, 1), cost_centre.pk)] == Decimal("-200.00")
    assert stored[("revenue", date(2025, 4, 1), 0)] == Decimal("-5.00")


def test_a_changed_transaction_moves_its_amounts_between_months_and_accounts(administration):
    transactions_upsert(administration=administration, transactions=[sale("1"), sale("2")])

    moved = replace(journal("1", "30.00", "-30.00", day=date(2025, 7, 9)), fingerprint="moved")
    transactions_upsert(administration=administration, transactions=[moved, sale("2", amount="100.00")])

    stored = _stored(administration)
    assert stored == _from_lines(administration)
    assert stored[("debtors", date(2025, 3, 1), 0)] == Decimal("100.00")
    assert stored[("bank", date(2025, 7, 1), 0)] == Decimal("30.00")
    assert ("vat", date(2025, 3, 1), 0) in stored


def test_deleted_transactions_take_their_amounts_with_them(administration):
    transactions_upsert(
        administration=administration, transactions=[sale("1"), sale("2"), sale("3", day=date(2025, 5, 1))]
    )

    transactions_delete_missing(
        administration=administration,
        window_start=date(2025, 3, 1),
        window_end=date(2025, 3, 31),
        seen_external_ids={"2"},
    )

    stored = _stored(administration)
    assert stored == _from_lines(administration)
    assert stored[("debtors", date(2025, 3, 1), 0)] == Decimal("121.00")
    assert stored[("debtors", date(2025, 5, 1), 0)] == Decimal("121.00")


def test_an_unchanged_rewrite_leaves_the_balances_as_they_were(administration):
    transactions = [sale("1"), sale("2", day=date(2025, 6, 30))]
    transactions_upsert(administration=administration, transactions=transactions)
    before = _stored(administration)

    transactions_upsert(administration=administration, transactions=transactions)

    assert _stored(administration) == before


def test_a_rebuild_repairs_a_row_that_no_longer_equals_the_lines(administration):
    transactions_upsert(administration=administration, transactions=[sale("1"), sale("2", day=date(2025, 6, 30))])
    MonthlyBalance.objects.filter(administration=administration, account__external_id="debtors").update(amount=1)
    MonthlyBalance.objects.filter(administration=administration, account__external_id="vat").delete()

    assert monthly_balances_rebuild(administration=administration) == 4
    assert _stored(administration) == _from_lines(administration)
    assert monthly_balances_rebuild(administration=administration) == 0


def test_balances_stay_within_their_administration(administration, other_administration):
    transactions_upsert(administration=administration, transactions=[sale("1")])
    transactions_upsert(administration=other_administration, transactions=[sale("1", amount="10.00")])

    assert _stored(administration)[("debtors", date(2025, 3, 1), 0)] == Decimal("121.00")
    assert _stored(other_administration)[("debtors", date(2025, 3, 1), 0)] == Decimal("10.00")


def test_source_balances_of_a_month_are_replaced_and_unknown_ledgers_reported(administration):
    monthly_balances_from_source(
        administration=administration,
        month=date(2025, 3, 17),
        balances={"bank": Decimal("5.00"), "revenue": Decimal("-5.00")},
    )

    unknown = monthly_balances_from_source(
        administration=administration,
        month=date(2025, 3, 1),
        balances={"bank": Decimal("7.00"), "revenue": Decimal("-7.00"), "gone": Decimal("1.00")},
    )

    assert unknown == {"gone"}
    assert _stored(administration, BalanceBasis.SOURCE) == {
        ("bank", date(2025, 3, 1), 0): Decimal("7.00"),
        ("revenue", date(2025, 3, 1), 0): Decimal("-7.00"),
    }


def test_source_balances_of_many_months_are_replaced_together_in_three_statements(
    administration, django_assert_num_queries
):
    monthly_balances_from_source(administration=administration, month=date(2025, 1, 1), balances={"bank": Decimal(1)})
    monthly_balances_from_source(administration=administration, month=date(2025, 5, 1), balances={"bank": Decimal(9)})
    months = {
        date(2025, month, 1): {"bank": Decimal(month), "revenue": Decimal(-month), "gone": Decimal("1.00")}
        for month in (1, 2, 3)
    }

    # The account ids, the months' old rows deleted, the new rows inserted (and the transaction's two).
    with django_assert_num_queries(5):
        unknown = monthly_balances_from_source_months(administration=administration, months=months)

    assert unknown == {"gone"}
    stored = _stored(administration, BalanceBasis.SOURCE)
    assert stored == {
        **{
            (ledger, date(2025, m, 1), 0): Decimal(sign * m)
            for m in (1, 2, 3)
            for ledger, sign in (("bank", 1), ("revenue", -1))
        },
        ("bank", date(2025, 5, 1), 0): Decimal(9),  # a month not given is left as it was
    }


def test_lines_complete_moves_on_only_by_windows_that_join_on(administration):
    assert administration.lines_complete
    lines_complete_reset(administration=administration, before=date(2023, 1, 15))
    administration.refresh_from_db()
    assert administration.lines_complete_through == date(2022, 12, 31)

    lines_complete_advance(administration=administration, window_start=date(2023, 3, 1), window_end=date(2023, 3, 31))
    administration.refresh_from_db()
    assert administration.lines_complete_through == date(2022, 12, 31)  # a gap: January and February are not in

    for start, end in ((date(2023, 1, 1), date(2023, 1, 31)), (date(2023, 2, 1), date(2023, 2, 28))):
        lines_complete_advance(administration=administration, window_start=start, window_end=end)
    # A window that overlaps what is complete (a look-back) joins on too.
    lines_complete_advance(administration=administration, window_start=date(2023, 2, 10), window_end=date(2023, 3, 31))
    administration.refresh_from_db()
    assert administration.lines_complete_through == date(2023, 3, 31)
    assert not administration.lines_complete

    lines_complete_mark(administration=administration)
    administration.refresh_from_db()
    assert administration.lines_complete_through == LINES_COMPLETE
    # Once complete, a window never sets it back.
    lines_complete_advance(administration=administration, window_start=date(2023, 1, 1), window_end=date(2023, 1, 31))
    administration.refresh_from_db()
    assert administration.lines_complete


def test_statements_read_the_source_for_months_the_import_has_not_reached(administration):
    from dashboards.selectors.statements import StatementScope, statement_report

    Account.objects.filter(administration=administration, external_id="revenue").update(code="8000")
    transactions_upsert(
        administration=administration,
        transactions=[
            journal("1", "10.00", "-10.00", day=date(2025, 1, 10)),
            journal("2", "20.00", "-20.00", day=date(2025, 2, 10)),
        ],
    )
    for month, amount in ((1, "-11.00"), (2, "-22.00"), (3, "-33.00")):
        monthly_balances_from_source(
            administration=administration, month=date(2025, month, 1), balances={"revenue": Decimal(amount)}
        )
    scope = StatementScope(organization=administration.organization, year=2025, month=3, administration=administration)

    def revenue_by_month():
        report = statement_report(scope=scope, statement="pnl")
        account = next(a for row in report.rows for a in row.accounts if a.account.code == "8000")
        return [-m for m in account.figures.months] if account.figures.months[0] < 0 else account.figures.months

    # Complete: the lines only (the source's rows are ignored).
    assert revenue_by_month() == [Decimal("10.00"), Decimal("20.00"), Decimal("0.00")]
    # January's lines are in, the rest not yet: February and March come from the source.
    lines_complete_reset(administration=administration, before=date(2025, 1, 1))
    lines_complete_advance(administration=administration, window_start=date(2025, 1, 1), window_end=date(2025, 1, 31))
    assert revenue_by_month() == [Decimal("10.00"), Decimal("22.00"), Decimal("33.00")]
