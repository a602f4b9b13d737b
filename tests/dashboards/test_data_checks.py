"""The Data checks page: each check counted, with its rows and links, and nothing of another organisation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ledger.models import AccountKind, Reconciliation, ReconciliationCheck, SetAsideKind, Transaction
from ledger.records import AccountRecord, SetAsideEntry
from ledger.services import accounts_upsert, set_aside_record

from .factories import RECEIVABLE, item

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:data_checks")


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def ledger_check(books, *, code: str, month: date, expected: str, actual: str) -> Reconciliation:
    account = books.administration.accounts.get(code=code)
    return Reconciliation.objects.create(
        administration=books.administration,
        kind=ReconciliationCheck.LEDGER_MONTH,
        subject=code,
        period_start=month,
        account=account,
        expected=Decimal(expected),
        actual=Decimal(actual),
        difference=Decimal(actual) - Decimal(expected),
        recorded_at=timezone.now(),
    )


def test_a_clean_administration_has_nothing_to_look_at(member_client, books, today):
    ledger_check(books, code="1100", month=date(2026, 1, 1), expected="10.00", actual="10.00")
    type(books.administration).objects.filter(pk=books.administration.pk).update(ledger_checked_at=timezone.now())

    page = html(member_client.get(PAGE))

    assert "Nothing to look at" in page
    assert 'data-check="ledger">0<' in page and "all balances match" in page


def test_counts_and_lists_every_kind_of_problem(member_client, books, today):
    ledger_check(books, code="1100", month=date(2026, 2, 1), expected="100.00", actual="90.00")
    books.check(side=RECEIVABLE, day=today, expected="500.00", actual="450.00")
    books.invoice("s1", side=RECEIVABLE, day=today, amount="121.00")
    Transaction.objects.filter(external_id="s1").update(imbalance=Decimal("0.01"))
    accounts_upsert(
        administration=books.administration,
        rows=[AccountRecord(external_id="odd", code="3100", name="Voorraad", kind=AccountKind.BALANCE_SHEET)],
    )
    books.open_items(RECEIVABLE, [item("i1", invoiced=today, due=None), item("i2", invoiced=today, due=today)])

    page = html(member_client.get(PAGE))

    assert 'data-check="ledger">1<' in page and "-€10.00" in page
    assert 'data-check="open-items">1<' in page and "-€50.00" in page
    assert 'data-check="unbalanced">1<' in page and f"{reverse('dashboards:transactions')}?unbalanced=1" in page
    assert 'data-check="unmapped">1<' in page and f"{reverse('dashboards:account_mapping')}?unmapped=1" in page
    assert 'data-check="without-due-date">1<' in page
    assert "4 things to look at" in page
    account = books.administration.accounts.get(code="1100")
    assert f"account={account.pk}&amp;date_from=2026-02-01&amp;date_to=2026-02-28" in page


def test_the_outstanding_items_check_badge_links_here(member_client, books, today):
    books.check(side=RECEIVABLE, day=today, expected="500.00", actual="450.00")
    books.open_items(RECEIVABLE, [item("i1", invoiced=today, due=today)])

    page = html(member_client.get(reverse("dashboards:outstanding")))

    assert f'href="{PAGE}#check"' in page


def test_a_past_days_page_names_the_day_of_the_check_it_warns_of(member_client, books, today):
    then = today - timedelta(days=12)
    books.open_items(RECEIVABLE, [item("i1", invoiced=then, due=then)])
    books.snapshot(then)
    books.check(side=RECEIVABLE, day=today, expected="500.00", actual="450.00")

    live = html(member_client.get(reverse("dashboards:outstanding")))
    past = html(member_client.get(reverse("dashboards:outstanding"), {"as_of": then.isoformat()}))
    dutch = html(
        member_client.get(reverse("dashboards:outstanding"), {"as_of": then.isoformat()}, HTTP_ACCEPT_LANGUAGE="nl")
    )

    assert "The open items differ from the debtors ledger balance." in live
    assert "At the last check" not in live
    assert "The open items differ from" not in past
    checked, shown = f"{today.day} {today:%B %Y}", f"{then.day} {then:%B %Y}"
    assert f"At the last check, on {checked}, the open items differed from the debtors ledger balance" in past
    assert f"; this page shows {shown}." in past
    with translation.override("nl"):
        checked, shown = date_format(today, "j F Y"), date_format(then, "j F Y")
    assert f"Bij de laatste controle, op {checked}, weken de openstaande posten af" in dutch
    assert f"; deze pagina toont {shown}." in dutch


def test_another_organisations_checks_never_show(member_client, books, other_books, today):
    other_books.check(side=RECEIVABLE, day=today, expected="999.00", actual="1.00")

    page = html(member_client.get(PAGE))

    assert "Other Books BV" not in page and 'data-check="open-items">–<' in page
    assert member_client.get(PAGE, {"administration": other_books.administration.pk}).status_code == 404


def _set_aside(books, external_id: str, reason: str) -> None:
    set_aside_record(
        administration=books.administration,
        entries=[
            SetAsideEntry(
                kind=SetAsideKind.TRANSACTION,
                external_id=external_id,
                reason=reason,
                label=f"Mutation {external_id} of 2025-03-04",
                record_date=date(2025, 3, 4),
            )
        ],
    )


def test_records_set_aside_are_counted_and_listed_with_their_reason(member_client, books):
    _set_aside(books, "77", "The payment term of 3,000,000 days is outside the terms Monitr accepts.")

    page = html(member_client.get(PAGE))

    assert 'data-check="set-aside">1<' in page and 'href="#set-aside-rows"' in page
    assert "Mutation 77 of 2025-03-04" in page and "3,000,000 days is outside the terms" in page
    assert "1 thing to look at" in page


def test_another_organisations_records_set_aside_never_show(member_client, books, other_books):
    _set_aside(other_books, "88", "Secret reason of Other Books BV")

    page = html(member_client.get(PAGE))

    assert 'data-check="set-aside">0<' in page and "Secret reason" not in page


def test_the_ledger_check_says_all_match_only_after_a_check_that_found_nothing(member_client, books, today):
    from ledger.services import reconciliation_record

    assert 'data-ledger-check="pending"' in html(member_client.get(PAGE))

    # A check that found every ledger and month equal stores no row; the administration records that it ran.
    reconciliation_record(administration=books.administration, results=[], checked_through=today)

    page = html(member_client.get(PAGE))
    assert 'data-ledger-check="match"' in page and "checked " in page
    assert "Not checked yet" not in page.split('id="c-open"')[0]


def test_the_ledger_check_waits_for_every_administration_in_scope(member_client, books, organization, today):
    from ledger.services import reconciliation_record

    from .factories import Books

    Books.create(organization, name="Second Books BV")
    reconciliation_record(administration=books.administration, results=[], checked_through=today)

    assert 'data-ledger-check="pending"' in html(member_client.get(PAGE))
    scoped = html(member_client.get(PAGE, {"administration": books.administration.pk}))
    assert 'data-ledger-check="match"' in scoped


def test_an_administration_not_checked_yet_never_hides_anothers_check(member_client, books, organization, today):
    from ledger.services import reconciliation_record

    from .factories import Books

    second = Books.create(organization, name="Second Books BV")
    reconciliation_record(administration=books.administration, results=[], checked_through=today)
    books.check(side=RECEIVABLE, day=today, expected="5.00", actual="5.00")
    checked_at = type(books.administration).objects.get(pk=books.administration.pk).ledger_checked_at

    page = html(member_client.get(PAGE))

    first_row = page.split(f'data-checked="{books.administration.pk}"')[1].split("</li>")[0]
    second_row = page.split(f'data-checked="{second.administration.pk}"')[1].split("</li>")[0]
    local = timezone.localtime(checked_at)
    assert 'data-ledger-check="match"' in first_row and f"checked {local:%-d %b %Y %H:%M}" in first_row
    assert "all balances match" in first_row
    assert 'data-ledger-check="pending"' in second_row and "not checked yet" in second_row
    assert 'data-check="ledger">0<' in page and 'data-check="open-items">0<' in page


def test_before_any_check_the_page_counts_nothing_and_says_so(member_client, books):
    page = html(member_client.get(PAGE))

    assert 'data-check="ledger">–<' in page and 'data-check="open-items">–<' in page
    assert 'data-ledger-check="pending"' in page and 'data-open-items-check="pending"' in page


@pytest.mark.django_db(transaction=True)
def test_after_an_import_the_page_shows_when_it_checked_and_what_it_found(member_client, sandbox_connection):
    from tests.connections import sync

    sync(sandbox_connection)
    sync(sandbox_connection)  # a run that finds no changes checks again

    page = html(member_client.get(PAGE))

    row = page.split(f'data-checked="{sandbox_connection.administration.pk}"')[1].split("</li>")[0]
    assert 'data-ledger-check="match"' in row and "checked " in row and "all balances match" in row
    assert 'data-check="ledger">0<' in page and 'data-check="open-items">0<' in page
    assert "Not checked yet" not in page
