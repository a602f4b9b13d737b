"""The relation table's page, read in two queries (which rows, then their figures), is exactly the page a plain
paginator gives of the whole grouped table: same rows in the same order, same number and count, the last page
for a number past the end; for every sort (how the relations pay too), with and without a search, over two
administrations, today and from a past day's snapshot."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.paginator import Paginator

from dashboards.selectors.outstanding import RELATION_SORTS, outstanding_by_relation, outstanding_relations_page
from dashboards.selectors.scope import OutstandingScope
from ledger.models import OutstandingSide

from .factories import RECEIVABLE, Books, random_items
from .paying import habit

pytestmark = pytest.mark.django_db

PER_PAGE = 4
HABITS = [
    {"days": "12.0"},
    {"days": "-3.0"},
    {"days": "12.0"},
    {"days": "4.0", "paid": 1},
    None,
    {"days": "8.0", "overdue": 1, "oldest": 75, "recent": 0},
]


PAST_DAYS = 10


@pytest.fixture
def two_books(organization, today) -> None:
    for n, name in enumerate(("Books A", "Books B")):
        books = Books.create(organization, name=name)
        # Some relations share a name, so that the order falls back on the ids; None: items without a relation.
        relations = books.relations(*(f"Relation {k % 5:02d}" for k in range(9)), prefix=f"r{n}")
        external_ids = [r.external_id for r in relations] + [None]
        # How they pay, for the sort by it: alike (a tie), early, too little history, not at all, and one without.
        for relation, pays in zip(relations, itertools.cycle(HABITS[n:] + HABITS[:n]), strict=False):
            if pays is not None:
                habit(books, relation.external_id, **pays)
        # A past day's snapshot holds other items than today's, so the as-of page cannot pass by reading today's.
        books.open_items(RECEIVABLE, random_items(seed=10 + n, count=30, today=today, relations=external_ids))
        books.snapshot(today - timedelta(days=PAST_DAYS))
        books.open_items(RECEIVABLE, random_items(seed=n, count=40, today=today, relations=external_ids))


@pytest.mark.parametrize("sort", [*RELATION_SORTS, *(f"-{k}" for k in RELATION_SORTS), "nonsense"])
@pytest.mark.parametrize("search", ["", "relation 0"])
@pytest.mark.parametrize("days_back", [0, PAST_DAYS], ids=["today", "as of a past day"])
def test_every_page_equals_the_plain_paginators_page(two_books, organization, today, sort, search, days_back):
    as_of = today - timedelta(days=days_back)
    scope = OutstandingScope(organization=organization, side=OutstandingSide.RECEIVABLE, as_of=as_of, today=today)
    whole = Paginator(outstanding_by_relation(scope=scope, search=search, sort=sort), PER_PAGE)
    assert whole.num_pages > 1 if not search else whole.count > 0

    for number in (*range(1, whole.num_pages + 1), whole.num_pages + 1, 99):
        expected = whole.get_page(number)
        page = outstanding_relations_page(scope=scope, search=search, sort=sort, number=number, per_page=PER_PAGE)

        assert page.number == expected.number, number
        assert page.paginator.count == whole.count
        assert page.paginator.num_pages == whole.num_pages
        assert list(page) == list(expected), number


def test_without_open_items_the_page_is_the_first_and_empty(organization, today):
    Books.create(organization, name="Empty books")
    scope = OutstandingScope(organization=organization, side=OutstandingSide.PAYABLE, as_of=today, today=today)

    page = outstanding_relations_page(scope=scope, number=3, per_page=PER_PAGE)

    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])
