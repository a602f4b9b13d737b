"""The Outstanding Items selectors over imported books, against figures computed here in plain Python."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from dashboards.models import AgingBasis
from dashboards.selectors.figures import (
    outstanding_checks,
    outstanding_comparison,
    outstanding_history,
    outstanding_snapshot_status,
    outstanding_turnover,
)
from dashboards.selectors.outstanding import (
    outstanding_aging,
    outstanding_by_relation,
    outstanding_items_list,
    outstanding_top_relations,
)
from dashboards.selectors.scope import OutstandingScope
from ledger.models import Relation

from . import expected
from .factories import PAYABLE, RECEIVABLE, Books, item, random_items, with_credits

pytestmark = pytest.mark.django_db

RELATIONS = ["rel-1", "rel-2", "rel-3", None]


def scope_of(organization, today, **changes) -> OutstandingScope:
    return OutstandingScope(
        **{"organization": organization, "side": RECEIVABLE, "as_of": today, "today": today, **changes}
    )


def assert_aging_equals(aging, figures):
    assert aging.total == figures["total"]
    assert aging.count == figures["count"]
    assert aging.overdue == figures["overdue"]
    assert aging.overdue_count == figures["overdue_count"]
    assert aging.without_due_date == figures["without_due_date"]
    assert [b.amount for b in aging.buckets] == figures["amounts"]
    assert [b.count for b in aging.buckets] == figures["counts"]
    assert (aging.credit, aging.credit_count) == (figures["credit"], figures["credit_count"])
    assert sum((b.amount for b in aging.buckets), Decimal(0)) + aging.credit == aging.total


@pytest.fixture
def receivables(books, today):
    items = random_items(seed=7, count=120, today=today, relations=RELATIONS, without_due=4)
    books.open_items(RECEIVABLE, items)
    return items


class TestAging:
    def test_buckets_and_totals_equal_the_items_added_up(self, organization, receivables, today):
        aging = outstanding_aging(scope=scope_of(organization, today))

        assert_aging_equals(aging, expected.aging(receivables, as_of=today))

    def test_the_edges_of_the_buckets_fall_on_the_right_side(self, organization, books, today):
        ages = [0, 1, 30, 31, 60, 61, 90, 91, -1]
        books.open_items(
            RECEIVABLE,
            [
                item(f"e{age}", invoiced=today - timedelta(days=age + 30), due=today - timedelta(days=age))
                for age in ages
            ],
        )

        aging = outstanding_aging(scope=scope_of(organization, today))

        assert [b.count for b in aging.buckets] == [2, 2, 2, 2, 1]

    def test_changed_boundaries_regroup_the_same_total(self, organization, receivables, today):
        aging = outstanding_aging(scope=scope_of(organization, today, boundaries=(7, 14, 45, 120)))

        assert [b.bucket.label for b in aging.buckets][-1] == "Over 120 days"
        assert_aging_equals(aging, expected.aging(receivables, as_of=today, boundaries=(7, 14, 45, 120)))

    def test_aging_by_invoice_date_counts_from_the_invoice(self, organization, receivables, today):
        aging = outstanding_aging(scope=scope_of(organization, today, basis=AgingBasis.INVOICE_DATE))

        assert_aging_equals(aging, expected.aging(receivables, as_of=today, basis="invoice"))

    def test_an_item_without_a_due_date_is_aged_by_its_invoice_date_and_counted(self, organization, books, today):
        books.open_items(RECEIVABLE, [item("nodue", invoiced=today - timedelta(days=45), due=None, total="80.00")])

        aging = outstanding_aging(scope=scope_of(organization, today))

        assert aging.without_due_date == 1
        assert aging.overdue == Decimal("80.00")
        assert [b.bucket.label for b in aging.buckets if b.amount] == ["31–60 days"]

    def test_payables_are_their_own_side(self, organization, books, receivables, today):
        payables = random_items(seed=8, count=30, today=today, relations=RELATIONS, prefix="p")
        books.open_items(PAYABLE, payables)

        aging = outstanding_aging(scope=scope_of(organization, today, side=PAYABLE))

        assert_aging_equals(aging, expected.aging(payables, as_of=today))

    def test_all_administrations_add_up(self, organization, books, receivables, today):
        second = Books.create(organization, name="Second BV")
        second.relations("Delta BV")
        more = random_items(seed=9, count=25, today=today, relations=["rel-1"], prefix="s")
        second.open_items(RECEIVABLE, more)

        together = outstanding_aging(scope=scope_of(organization, today))
        alone = outstanding_aging(scope=scope_of(organization, today, administration=books.administration))

        assert_aging_equals(together, expected.aging(receivables + more, as_of=today))
        assert_aging_equals(alone, expected.aging(receivables, as_of=today))

    def test_another_organisations_items_never_count(self, organization, receivables, other_books, today):
        other_books.open_items(RECEIVABLE, random_items(seed=3, count=10, today=today, relations=["rel-1"]))

        aging = outstanding_aging(scope=scope_of(organization, today))

        assert aging.total == expected.aging(receivables, as_of=today)["total"]

    def test_nothing_open_is_all_zero(self, organization, books, today):
        aging = outstanding_aging(scope=scope_of(organization, today))

        assert (aging.total, aging.count, aging.overdue_share) == (Decimal("0.00"), 0, None)
        assert all(b.amount == 0 and b.share is None for b in aging.buckets)


class TestAsOf:
    def test_a_past_day_reads_its_snapshot_and_ages_to_that_day(self, organization, books, today):
        then = today - timedelta(days=20)
        old = random_items(seed=11, count=50, today=then, relations=RELATIONS, without_due=2)
        books.open_items(RECEIVABLE, old)
        books.snapshot(then)
        books.open_items(RECEIVABLE, random_items(seed=12, count=30, today=today, relations=RELATIONS))

        aging = outstanding_aging(scope=scope_of(organization, today, as_of=then))

        assert_aging_equals(aging, expected.aging(old, as_of=then))

    def test_the_snapshot_status_names_what_is_missing_and_offers_an_earlier_day(self, organization, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today)])
        books.snapshot(today - timedelta(days=40))
        books.snapshot(today - timedelta(days=10))

        status = outstanding_snapshot_status(
            organization=organization, administrations=[books.administration], as_of=today - timedelta(days=5)
        )
        found = outstanding_snapshot_status(
            organization=organization, administrations=[books.administration], as_of=today - timedelta(days=10)
        )

        assert status.missing_all and status.missing == [books.administration]
        assert status.first == today - timedelta(days=40)
        assert status.nearest_earlier == today - timedelta(days=10)
        assert found.complete

    def test_another_organisations_snapshot_does_not_count_as_ours(self, organization, books, other_books, today):
        other_books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today)])
        other_books.snapshot(today - timedelta(days=3))

        status = outstanding_snapshot_status(
            organization=organization, administrations=[books.administration], as_of=today - timedelta(days=3)
        )

        assert status.missing_all and status.first is None

    def test_the_change_compares_with_the_snapshot_of_thirty_days_before(self, organization, books, today):
        then = today - timedelta(days=30)
        old = random_items(seed=13, count=40, today=then, relations=RELATIONS)
        books.open_items(RECEIVABLE, old)
        books.open_items(PAYABLE, random_items(seed=14, count=5, today=then, relations=RELATIONS))
        books.snapshot(then)

        comparison = outstanding_comparison(scope=scope_of(organization, today))
        missing = outstanding_comparison(scope=scope_of(organization, today, as_of=today - timedelta(days=1)))

        figures = expected.aging(old, as_of=then)
        assert comparison.available and comparison.as_of == then
        assert (comparison.total, comparison.overdue) == (figures["total"], figures["overdue"])
        assert not missing.available

    def test_the_history_has_a_point_per_snapshot_with_what_was_overdue_that_day(self, organization, books, today):
        days = [today - timedelta(days=d) for d in (90, 60, 30)]
        snapshots = {}
        for n, day in enumerate(days):
            items = random_items(seed=20 + n, count=20, today=day, relations=RELATIONS)
            books.open_items(RECEIVABLE, items)
            books.snapshot(day)
            snapshots[day] = expected.aging(items, as_of=day)

        history = outstanding_history(scope=scope_of(organization, today))

        assert [p.as_of for p in history] == days
        assert [(p.total, p.overdue) for p in history] == [
            (snapshots[d]["total"], snapshots[d]["overdue"]) for d in days
        ]


class TestCredits:
    """A credit note or an unapplied payment (a negative open item) is a credit: never overdue, in no bucket."""

    @pytest.fixture
    def mixed(self, books, today):
        books.open_items(RECEIVABLE, with_credits(today))

    def test_a_credit_is_in_no_bucket_and_never_overdue(self, organization, mixed, today):
        aging = outstanding_aging(scope=scope_of(organization, today))

        assert (aging.total, aging.credit, aging.credit_count) == (Decimal("-180.00"), Decimal("-280.00"), 2)
        assert (aging.overdue, aging.overdue_count, aging.without_due_date) == (Decimal("100.00"), 1, 0)
        assert [b.amount for b in aging.buckets] == [0, 0, Decimal("100.00"), 0, 0]
        assert aging.overdue_share == Decimal("100.0")

    def test_a_relation_nets_its_credits_and_counts_only_invoices_as_overdue(self, organization, books, mixed, today):
        rows = {r["relation_name"]: r for r in outstanding_by_relation(scope=scope_of(organization, today))}

        alpha, beta = rows["Alpha BV"], rows["Beta & Zonen"]
        assert (alpha["total"], alpha["overdue"], alpha["credit"]) == (Decimal("70.00"), Decimal("100.00"), -30)
        assert alpha["oldest_due"] == today - timedelta(days=40)
        assert (beta["total"], beta["overdue"], beta["credit"]) == (Decimal("-250.00"), 0, Decimal("-250.00"))
        assert (beta["oldest_invoice"], beta["oldest_due"]) == (None, None)
        assert all(beta[f"bucket_{i}"] == 0 for i in range(5))

    def test_the_overdue_filter_leaves_credits_out(self, organization, mixed, today):
        scope = scope_of(organization, today)

        overdue = [i.external_id for i in outstanding_items_list(scope=scope, overdue=True)]
        others = {i.external_id: i.is_credit for i in outstanding_items_list(scope=scope, overdue=False)}

        assert overdue == ["inv"]
        assert others == {"cn": True, "pay": True}

    def test_a_snapshot_records_no_credit_as_overdue(self, organization, books, mixed, today):
        books.snapshot(today)

        history = outstanding_history(scope=scope_of(organization, today))

        assert [(p.total, p.overdue) for p in history] == [(Decimal("-180.00"), Decimal("100.00"))]


class TestByRelation:
    def test_each_relation_row_equals_its_items_added_up(self, organization, books, receivables, today):
        rows = list(outstanding_by_relation(scope=scope_of(organization, today)))

        wanted = expected.by_relation(receivables, as_of=today)
        ids = dict(Relation.objects.filter(administration=books.administration).values_list("pk", "external_id"))
        got = {
            ids.get(r["relation_id"]): {
                "total": r["total"],
                "overdue": r["overdue"],
                "credit": r["credit"],
                "buckets": [r[f"bucket_{i}"] for i in range(5)],
                "items": r["items"],
                "oldest_invoice": r["oldest_invoice"],
                "oldest_due": r["oldest_due"],
            }
            for r in rows
        }
        assert got == wanted
        assert [r["total"] for r in rows] == sorted((r["total"] for r in rows), reverse=True)

    def test_rows_sort_by_name_overdue_items_or_oldest(self, organization, receivables, today):
        scope = scope_of(organization, today)

        by_name = [r["relation_name"] for r in outstanding_by_relation(scope=scope, sort="name")]
        by_overdue = [r["overdue"] for r in outstanding_by_relation(scope=scope, sort="-overdue")]
        by_items = [r["items"] for r in outstanding_by_relation(scope=scope, sort="items")]
        by_oldest = [r["oldest_due"] for r in outstanding_by_relation(scope=scope, sort="oldest")]

        assert by_name == ["Alpha BV", "Beta & Zonen", "Gamma NV", None]
        assert by_overdue == sorted(by_overdue, reverse=True)
        assert by_items == sorted(by_items)
        assert by_oldest == sorted(by_oldest)

    def test_an_unknown_sort_falls_back_to_the_largest_total_first(self, organization, receivables, today):
        rows = list(outstanding_by_relation(scope=scope_of(organization, today), sort="password"))

        assert [r["total"] for r in rows] == sorted((r["total"] for r in rows), reverse=True)

    def test_search_matches_name_or_code(self, organization, receivables, today):
        scope = scope_of(organization, today)

        assert [r["relation_name"] for r in outstanding_by_relation(scope=scope, search="beta")] == ["Beta & Zonen"]
        assert [r["relation_code"] for r in outstanding_by_relation(scope=scope, search="REL0003")] == ["REL0003"]

    def test_top_relations_are_the_largest_totals(self, organization, receivables, today):
        top = outstanding_top_relations(scope=scope_of(organization, today), limit=2)

        totals = sorted((r["total"] for r in expected.by_relation(receivables, as_of=today).values()), reverse=True)
        assert [r["total"] for r in top] == totals[:2]

    def test_a_relation_in_two_administrations_is_two_rows(self, organization, books, today):
        second = Books.create(organization, name="Second BV")
        second.relations("Alpha BV")
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today)])
        second.open_items(RECEIVABLE, [item("1", invoiced=today, due=today)])

        rows = list(outstanding_by_relation(scope=scope_of(organization, today), sort="name"))

        assert [(r["relation_name"], r["administration_name"]) for r in rows] == [
            ("Alpha BV", "Acme Books BV"),
            ("Alpha BV", "Second BV"),
        ]


class TestItems:
    def test_a_relations_items_are_its_own(self, organization, books, receivables, today):
        relation = books.relation("rel-2")

        rows = list(outstanding_items_list(scope=scope_of(organization, today), relation=relation))

        assert {r.external_id for r in rows} == {
            i.external_id for i in receivables if i.relation_external_id == "rel-2"
        }
        assert [r.effective_due for r in rows] == sorted(r.effective_due for r in rows)

    def test_items_without_a_due_date_or_relation_or_only_overdue(self, organization, receivables, today):
        scope = scope_of(organization, today)

        no_due = {r.external_id for r in outstanding_items_list(scope=scope, without_due_date=True)}
        no_relation = {r.external_id for r in outstanding_items_list(scope=scope, without_relation=True)}
        overdue = {r.external_id for r in outstanding_items_list(scope=scope, overdue=True)}

        assert no_due == {i.external_id for i in receivables if i.due_date is None}
        assert no_relation == {i.external_id for i in receivables if i.relation_external_id is None}
        assert overdue == {
            i.external_id for i in receivables if i.outstanding >= 0 and (i.due_date or i.invoice_date) < today
        }


class TestTurnover:
    def test_dso_is_open_receivables_over_ninety_days_of_sales_times_ninety(self, organization, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today, total="3000.00")])
        books.invoice("s1", side=RECEIVABLE, day=today, amount="6050.00")
        books.invoice("s2", side=RECEIVABLE, day=today - timedelta(days=89), amount="3025.00")
        books.invoice("cn", side=RECEIVABLE, day=today - timedelta(days=10), amount="-75.00")  # a credit note
        books.invoice("old", side=RECEIVABLE, day=today - timedelta(days=90), amount="99999.00")  # outside
        books.invoice("buy", side=PAYABLE, day=today, amount="500.00")  # a purchase, not a sale
        books.payment("pay", day=today, amount="1000.00")  # on the debtors account, but not an invoice

        turnover = outstanding_turnover(scope=scope_of(organization, today), open_amount=Decimal("3000.00"))

        invoiced = Decimal("6050.00") + Decimal("3025.00") - Decimal("75.00")
        assert turnover.invoiced == invoiced
        assert turnover.date_from == today - timedelta(days=89)
        assert turnover.days == (Decimal("3000.00") / invoiced * 90).quantize(Decimal("0.1"))

    def test_dpo_uses_purchase_invoices(self, organization, books, today):
        books.invoice("p1", side=PAYABLE, day=today - timedelta(days=3), amount="1210.00")
        books.invoice("s1", side=RECEIVABLE, day=today, amount="5000.00")

        turnover = outstanding_turnover(scope=scope_of(organization, today, side=PAYABLE), open_amount=Decimal("605"))

        assert turnover.invoiced == Decimal("1210.00")
        assert turnover.days == Decimal("45.0")

    def test_without_invoices_there_is_no_dso(self, organization, books, today):
        turnover = outstanding_turnover(scope=scope_of(organization, today), open_amount=Decimal("100"))

        assert turnover.days is None

    def test_another_organisations_sales_do_not_count(self, organization, books, other_books, today):
        other_books.invoice("s1", side=RECEIVABLE, day=today, amount="5000.00")

        turnover = outstanding_turnover(scope=scope_of(organization, today), open_amount=Decimal("100"))

        assert turnover.invoiced == 0


class TestChecks:
    def test_the_latest_check_per_administration_of_the_side(self, organization, books, other_books, today):
        books.check(side=RECEIVABLE, day=today - timedelta(days=1), expected="100.00", actual="50.00")
        latest = books.check(side=RECEIVABLE, day=today, expected="100.00", actual="90.00")
        books.check(side=PAYABLE, day=today, expected="10.00", actual="0.00")
        other_books.check(side=RECEIVABLE, day=today, expected="1.00", actual="0.00")

        checks = list(outstanding_checks(scope=scope_of(organization, today)))

        assert checks == [latest]
        assert checks[0].difference == Decimal("-10.00")
