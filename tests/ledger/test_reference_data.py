"""Writing the reference data: accounts, relations and cost centres."""

from __future__ import annotations

import pytest

from ledger.models import Account, AccountKind, CostCenter, Relation
from ledger.records import AccountRecord, CostCenterRecord, RelationRecord
from ledger.services import WriteCounts, accounts_upsert, cost_centers_upsert, relations_upsert

from .factories import AdministrationFactory

pytestmark = pytest.mark.django_db

CHART = [
    AccountRecord(external_id="101", code="1000", name="Kas", kind=AccountKind.BALANCE_SHEET, category="FIN"),
    AccountRecord(external_id="102", code="1300", name="Debiteuren", kind=AccountKind.BALANCE_SHEET, category="DEB"),
    AccountRecord(external_id="103", code="8000", name="Omzet", kind=AccountKind.PROFIT_AND_LOSS, category="VW"),
]


@pytest.fixture
def administration(organization):
    return AdministrationFactory(organization=organization)


def test_accounts_upsert_stores_new_accounts(administration):
    counts = accounts_upsert(administration=administration, rows=CHART)

    assert counts == WriteCounts(new=3)
    assert Account.objects.get(administration=administration, external_id="103").kind == AccountKind.PROFIT_AND_LOSS


def test_accounts_upsert_of_the_same_chart_changes_nothing(administration):
    accounts_upsert(administration=administration, rows=CHART)

    counts = accounts_upsert(administration=administration, rows=CHART)

    assert counts == WriteCounts(unchanged=3)
    assert Account.objects.count() == 3


def test_accounts_upsert_of_the_same_chart_rewrites_no_row(administration, row_versions):
    accounts_upsert(administration=administration, rows=CHART)
    before = row_versions(Account)

    accounts_upsert(administration=administration, rows=CHART)

    assert row_versions(Account) == before


def test_accounts_upsert_updates_a_renamed_account_in_place(administration):
    accounts_upsert(administration=administration, rows=CHART)
    pk = Account.objects.get(external_id="103").pk
    renamed = AccountRecord(external_id="103", code="8000", name="Omzet hoog", kind=AccountKind.PROFIT_AND_LOSS)

    counts = accounts_upsert(administration=administration, rows=[renamed, *CHART[:2]])

    assert counts == WriteCounts(changed=1, unchanged=2)
    assert Account.objects.get(pk=pk).name == "Omzet hoog"


def test_accounts_upsert_writes_any_number_of_batches(administration):
    chart = [
        AccountRecord(external_id=str(n), code=str(n), name=f"Account {n}", kind=AccountKind.BALANCE_SHEET)
        for n in range(25)
    ]

    counts = accounts_upsert(administration=administration, rows=iter(chart), batch_size=4)

    assert counts == WriteCounts(new=25)


def test_the_same_external_id_in_two_administrations_is_two_accounts(administration):
    other = AdministrationFactory(organization=administration.organization)

    accounts_upsert(administration=administration, rows=CHART)
    accounts_upsert(administration=other, rows=CHART)

    assert Account.objects.filter(external_id="101").count() == 2


def test_relations_upsert_stores_and_then_updates_the_payment_term(administration):
    relation = RelationRecord(external_id="7", code="R7", name="Bakkerij <b>Jansen</b>", payment_term_days=14)
    relations_upsert(administration=administration, rows=[relation])

    counts = relations_upsert(
        administration=administration,
        rows=[RelationRecord(external_id="7", code="R7", name="Bakkerij <b>Jansen</b>", payment_term_days=30)],
    )

    assert counts == WriteCounts(changed=1)
    assert Relation.objects.values_list("name", "payment_term_days").get() == ("Bakkerij <b>Jansen</b>", 30)


def test_relations_upsert_keeps_a_missing_payment_term_empty(administration):
    relations_upsert(administration=administration, rows=[RelationRecord(external_id="7", code="R7", name="X")])

    counts = relations_upsert(
        administration=administration, rows=[RelationRecord(external_id="7", code="R7", name="X")]
    )

    assert counts == WriteCounts(unchanged=1)
    assert Relation.objects.get().payment_term_days is None


def test_cost_centers_upsert_stores_a_deactivated_cost_centre_as_changed(administration):
    cost_centers_upsert(administration=administration, rows=[CostCenterRecord(external_id="1", name="Winkel")])

    counts = cost_centers_upsert(
        administration=administration, rows=[CostCenterRecord(external_id="1", name="Winkel", active=False)]
    )

    assert counts == WriteCounts(changed=1)
    assert CostCenter.objects.get().active is False
