"""The Outstanding Items page's figures are kept until the books change: a second read asks only for the state of
the books; a sync that changes the open items, a relation's name, or anything at all (a new import) shows at once;
another side has figures of its own (another organisation's never show: the isolation crawl)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ledger.models import Administration
from ledger.records import RelationRecord
from ledger.services import relations_upsert

from .factories import RECEIVABLE, item

pytestmark = pytest.mark.django_db


def read(client, **params):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dashboards:outstanding"), params)
    assert page.status_code == 200
    return page, len(queries)


def test_the_figures_are_kept_until_the_books_change(admin_client, books, today):
    books.relations("Alpha BV", "Beta BV")
    books.open_items(
        RECEIVABLE,
        [
            item("1", relation="rel-1", invoiced=today, due=today, total="100.00"),
            item("2", relation="rel-2", invoiced=today, due=today, total="50.00"),
        ],
    )
    first, cold = read(admin_client)
    again, warm = read(admin_client)
    assert first.context["aging"].total == again.context["aging"].total == Decimal("150.00")
    assert warm < cold  # the aging, turnover, history, comparison and relation rows come from the cache
    assert [row["relation_name"] for row in again.context["relations"]] == ["Alpha BV", "Beta BV"]

    # A sync that changes the open items: shown at once.
    books.open_items(
        RECEIVABLE,
        [
            item("1", relation="rel-1", invoiced=today, due=today, total="100.00"),
            item("3", relation="rel-2", invoiced=today, due=today, total="70.00"),
        ],
    )
    changed, _ = read(admin_client)
    assert changed.context["aging"].total == Decimal("170.00")

    # A relation renamed at the source.
    relations_upsert(
        administration=books.administration,
        rows=[RelationRecord(external_id="rel-2", code="", name="Beta & Zonen BV")],
    )
    renamed, _ = read(admin_client)
    assert "Beta & Zonen BV" in [row["relation_name"] for row in renamed.context["relations"]]

    # Any successful import, whatever it changed.
    Administration.objects.filter(pk=books.administration.pk).update(last_imported_at=timezone.now())
    _, after_import = read(admin_client)
    assert after_import > warm  # figured again

    # Another side has figures of its own.
    payables, _ = read(admin_client, side="payable")
    assert payables.context["aging"].total == Decimal("0.00")
