"""e-Boekhouden's ledger categories become the ledger's neutral account roles: in the sync, and once, by a migration,
for the accounts imported before roles existed."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
import time_machine
from django.apps import apps

from eboekhouden.mapping import account_kind, account_role
from ledger.models import Account, AccountKind, AccountRole, TransactionLine
from ledger.records import LineRecord, TransactionRecord, TransactionType
from ledger.services import transactions_upsert
from tests.connections import RECENTLY, sync
from tests.ledger.factories import AccountFactory, AdministrationFactory


@pytest.mark.parametrize(
    "category,role,kind",
    [
        ("FIN", AccountRole.CASH, AccountKind.BALANCE_SHEET),
        ("DEB", AccountRole.RECEIVABLE, AccountKind.BALANCE_SHEET),
        ("cred", AccountRole.PAYABLE, AccountKind.BALANCE_SHEET),
        ("AF19", AccountRole.VAT, AccountKind.BALANCE_SHEET),
        ("VOOR", AccountRole.VAT, AccountKind.BALANCE_SHEET),
        ("BTWRC", AccountRole.VAT, AccountKind.BALANCE_SHEET),
        ("BAL", AccountRole.UNSPECIFIED, AccountKind.BALANCE_SHEET),
        ("VW", AccountRole.UNSPECIFIED, AccountKind.PROFIT_AND_LOSS),
        ("", AccountRole.UNSPECIFIED, AccountKind.BALANCE_SHEET),
    ],
)
def test_a_category_names_the_role_and_the_kind(category, role, kind):
    assert account_role(category) == role
    assert account_kind(category) == kind


@pytest.mark.django_db
def test_the_migration_gives_earlier_e_boekhouden_accounts_their_roles_and_leaves_others_alone():
    books = AdministrationFactory(provider="eboekhouden")
    other = AdministrationFactory(provider="ledger_file")
    debtors = AccountFactory(administration=books, category="DEB")
    vat = AccountFactory(administration=books, category="AF6")
    plain = AccountFactory(administration=books, category="BAL")
    chosen = AccountFactory(administration=books, category="FIN", role=AccountRole.EQUITY)
    foreign = AccountFactory(administration=other, category="DEB")

    migration = importlib.import_module("eboekhouden.migrations.0001_account_roles")
    migration.fill_roles(apps, None)

    roles = dict(Account.objects.values_list("pk", "role"))
    assert roles[debtors.pk] == AccountRole.RECEIVABLE
    assert roles[vat.pk] == AccountRole.VAT
    assert roles[plain.pk] == AccountRole.UNSPECIFIED
    assert roles[chosen.pk] == AccountRole.EQUITY  # a role already set is never overwritten
    assert roles[foreign.pk] == AccountRole.UNSPECIFIED  # another provider's categories mean nothing here


@pytest.mark.django_db
def test_a_sync_stores_each_ledger_with_the_role_of_its_category(sandbox_connection):
    with time_machine.travel(RECENTLY, tick=False):
        sync(sandbox_connection)

    accounts = Account.objects.filter(administration=sandbox_connection.administration)
    assert accounts.count() > 10
    for account in accounts:
        assert (account.role, account.kind) == (account_role(account.category), account_kind(account.category))
    roles = set(accounts.values_list("role", flat=True))
    assert {AccountRole.CASH, AccountRole.RECEIVABLE, AccountRole.PAYABLE, AccountRole.VAT} <= roles


@pytest.mark.django_db
def test_the_migration_empties_the_english_description_of_earlier_vat_lines_only():
    books = AdministrationFactory(provider="eboekhouden")
    other = AdministrationFactory(provider="ledger_file")
    for administration in (books, other):
        for code, role in (
            ("1300", AccountRole.RECEIVABLE),
            ("8000", AccountRole.UNSPECIFIED),
            ("1500", AccountRole.VAT),
        ):
            AccountFactory(administration=administration, external_id=code, code=code, role=role)
    sale = TransactionRecord(
        external_id="1",
        transaction_type=TransactionType.SALES_INVOICE,
        date=dt.date(2025, 3, 14),
        fingerprint="fp",
        description="Invoice 1",
        lines=(
            LineRecord(account_external_id="1300", amount=D("121.00"), description="VAT"),
            LineRecord(
                account_external_id="8000", amount=D("-100.00"), vat_code="HOOG_VERK_21", vat_amount=D("-21.00")
            ),
            LineRecord(account_external_id="1500", amount=D("-21.00"), description="VAT"),
        ),
    )
    for administration in (books, other):
        transactions_upsert(administration=administration, transactions=[sale])

    migration = importlib.import_module("eboekhouden.migrations.0002_vat_lines_without_description")
    migration.empty_descriptions(apps, None)

    def descriptions(administration):
        lines = TransactionLine.objects.filter(administration=administration)
        return dict(lines.values_list("account__code", "description"))

    assert descriptions(books) == {"1300": "VAT", "8000": "", "1500": ""}  # only the line on the VAT account
    assert descriptions(other) == {"1300": "VAT", "8000": "", "1500": "VAT"}  # another provider's words are its own
