"""The relation table sorted by how late each relation pays: days late by amount from its payment habit, "does not pay"
as the latest, too little history (or none) last in both directions, ties by name and ids; the same order on the
page, in its htmx swap, page by page and in the exports; only the organisation's own habits count. The rule the
database orders by is ``dashboards.behaviour``'s, which rates the badge."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.behaviour import NEVER_PAYS_SORTS_AS, Rating, behaviour_of, lateness
from dashboards.selectors.outstanding import outstanding_by_relation, outstanding_relations_page
from dashboards.selectors.scope import OutstandingScope
from ledger.models import RelationPaymentHabit
from ledger.records import RelationRecord
from ledger.services import relations_upsert

from .factories import PAYABLE, RECEIVABLE, Books, item
from .paying import habit
from .test_exports import csv_rows, export, xlsx_rows

pytestmark = pytest.mark.django_db

# Alpha and Zeta pay alike (a tie, broken by name), Beta early, Gamma not at all; Delta has too little history and
# Epsilon none; the items without a relation come last as in every sort.
NAMES = ["Alpha BV", "Beta & Zonen", "Gamma NV", "Delta BV", "Epsilon BV", "Zeta BV"]
EARLIEST_FIRST = ["Beta & Zonen", "Alpha BV", "Zeta BV", "Gamma NV", "Delta BV", "Epsilon BV", None]
LATEST_FIRST = ["Gamma NV", "Alpha BV", "Zeta BV", "Beta & Zonen", "Delta BV", "Epsilon BV", None]


@pytest.fixture
def paying(organization, today) -> Books:
    books = Books.create(organization)
    books.relations(*NAMES)
    due = today.replace(day=1)
    books.open_items(
        RECEIVABLE,
        [item(f"i{n}", relation=f"rel-{n}", invoiced=due, due=due) for n in range(1, 7)]
        + [item("i-none", relation=None, invoiced=due, due=due)],
    )
    habit(books, "rel-1", days="30.0")
    habit(books, "rel-2", days="-5.5")
    habit(books, "rel-3", days="10.0", overdue=2, oldest=90, recent=0)  # "does not pay", whatever it paid before
    habit(books, "rel-4", days="1.0", paid=2)  # too little history
    habit(books, "rel-6", days="30.0")
    return books


def scope_of(organization, today, **changes) -> OutstandingScope:
    return OutstandingScope(
        **{"organization": organization, "side": RECEIVABLE, "as_of": today, "today": today, **changes}
    )


def names(rows) -> list[str | None]:
    return [row["relation_name"] for row in rows]


def test_the_table_sorts_from_the_earliest_payer_to_the_latest_with_too_little_history_last(
    organization, paying, today
):
    assert names(outstanding_by_relation(scope=scope_of(organization, today), sort="behaviour")) == EARLIEST_FIRST


def test_the_table_sorts_from_the_latest_payer_with_those_who_do_not_pay_first_and_too_little_history_last(
    organization, paying, today
):
    assert names(outstanding_by_relation(scope=scope_of(organization, today), sort="-behaviour")) == LATEST_FIRST


@pytest.mark.parametrize("sort", ["behaviour", "-behaviour"])
def test_the_pages_of_the_table_follow_the_same_order(organization, paying, today, sort):
    scope = scope_of(organization, today)

    pages = [outstanding_relations_page(scope=scope, sort=sort, number=n, per_page=3) for n in (1, 2, 3)]

    assert [names(page) for page in pages] == [
        (EARLIEST_FIRST if sort == "behaviour" else LATEST_FIRST)[i : i + 3] for i in (0, 3, 6)
    ]


def test_another_organisations_habits_never_move_a_relation(organization, other_books, paying, today):
    # A row of another organisation's administration naming our relation without a habit (no build writes one):
    # read, it would make Epsilon the earliest payer.
    habit(paying, "rel-5", days="-40.0", administration=other_books.administration)

    assert names(outstanding_by_relation(scope=scope_of(organization, today), sort="behaviour")) == EARLIEST_FIRST


def test_with_one_administration_chosen_only_its_habits_count(organization, paying, today):
    second = Books.create(organization, name="Second BV")
    habit(paying, "rel-5", days="-40.0", administration=second.administration)
    scope = scope_of(organization, today, administration=paying.administration)

    assert names(outstanding_by_relation(scope=scope, sort="behaviour")) == EARLIEST_FIRST


def test_the_payables_side_reads_how_we_pay_the_suppliers(organization, paying, today):
    paying.open_items(PAYABLE, [item(f"p{n}", relation=f"rel-{n}", invoiced=today, due=today) for n in (1, 2)])
    habit(paying, "rel-1", days="-1.0", side=PAYABLE)
    habit(paying, "rel-2", days="12.0", side=PAYABLE)

    rows = outstanding_by_relation(scope=scope_of(organization, today, side=PAYABLE), sort="behaviour")

    assert names(rows) == ["Alpha BV", "Beta & Zonen"]


def test_the_page_offers_the_sort_in_the_relation_column_latest_payers_first(member_client, paying):
    html = member_client.get(reverse("dashboards:outstanding")).content.decode()

    header = re.search(r'<th scope="col" class="sortable relation-sorts".*?</th>', html, re.S).group(0)
    assert 'href="?side=receivable&amp;sort=-behaviour"' in header and ">Pays<" in header
    assert 'aria-sort="none"' in header


def test_the_sorted_page_marks_the_sort_and_lists_the_relations_in_its_order(member_client, paying):
    html = member_client.get(reverse("dashboards:outstanding"), {"sort": "-behaviour"}).content.decode()

    header = re.search(r'<th scope="col" class="sortable relation-sorts".*?</th>', html, re.S).group(0)
    assert 'aria-sort="descending"' in header
    assert 'href="?side=receivable&amp;sort=behaviour" class="sorted"' in header
    assert shown_names(html) == [name or "(no relation)" for name in LATEST_FIRST]


def test_the_htmx_swap_returns_the_sorted_table_alone(member_client, paying):
    response = member_client.get(
        reverse("dashboards:outstanding"), {"sort": "behaviour"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="relations"
    )

    html = response.content.decode()
    assert '<div id="relations"' in html and "<html" not in html
    assert shown_names(html) == [name or "(no relation)" for name in EARLIEST_FIRST]


@pytest.mark.parametrize("sort", ["behaviour", "-behaviour"])
def test_the_exports_follow_the_sort(member_client, paying, sort):
    expected = [name or "(no relation)" for name in (EARLIEST_FIRST if sort == "behaviour" else LATEST_FIRST)]

    assert [r["Relation"] for r in csv_rows(export(member_client, "relations", "csv", sort=sort))] == expected
    assert [r["Relation"] for r in xlsx_rows(export(member_client, "relations", "xlsx", sort=sort))] == expected


def shown_names(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", name).replace("&amp;", "&")
        for name in re.findall(r'<td class="relation-cell">\s*<a [^>]*>(.*?)</a>', html, re.S)
    ]


def test_the_database_rates_every_habit_as_behaviour_of_does(organization, today):
    """The sort's rule and the badge's, over every combination around the thresholds."""
    books = Books.create(organization)
    grid = list(
        itertools.product(
            (0, 1),  # overdue unpaid
            (None, 60, 61),  # the oldest's days overdue
            (0, 1),  # paid in the last 12 months
            (2, 3),  # paid in all
            (None, "-2.1", "0.0", "3.0", "10.0", "20.5"),  # days late by amount
        )
    )
    relations_upsert(
        administration=books.administration,
        rows=[RelationRecord(external_id=f"g-{n}", code=f"G{n}", name=f"G {n}") for n in range(len(grid))],
    )
    for n, (overdue, oldest, recent, paid, days) in enumerate(grid):
        habit(books, f"g-{n}", days=days, paid=paid, overdue=overdue, oldest=oldest, recent=recent)

    habits = RelationPaymentHabit.objects
    never = set(habits.filter(RelationPaymentHabit.never_pays_filter()).values_list("pk", flat=True))
    little = set(habits.filter(RelationPaymentHabit.too_little_history_filter()).values_list("pk", flat=True))
    for row in RelationPaymentHabit.objects.annotate(sorted_as=lateness()):
        # The model's rules read alike in Python and in the database.
        assert row.never_pays == (row.pk in never) and (not row.has_history) == (row.pk in little), row.__dict__
        rating = behaviour_of(row).rating
        if rating == Rating.NEVER:
            assert row.sorted_as == NEVER_PAYS_SORTS_AS, row.__dict__
        elif rating == Rating.UNKNOWN:
            assert row.sorted_as is None, row.__dict__
        else:
            assert row.sorted_as == row.days_late_weighted, row.__dict__
    assert {behaviour_of(row).rating for row in RelationPaymentHabit.objects.all()} == set(Rating)


def test_the_latest_payers_sentinel_is_later_than_any_days_a_habit_can_hold():
    field = RelationPaymentHabit._meta.get_field("days_late_weighted")
    most_days = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(-field.decimal_places)

    assert most_days < NEVER_PAYS_SORTS_AS
