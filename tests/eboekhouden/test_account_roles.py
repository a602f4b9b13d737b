"""e-Boekhouden's ledger categories become the ledger's neutral account roles: in the sync, and once, by a migration,
for the accounts imported before roles existed."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from django.apps import apps

from eboekhouden.mapping import account_kind, account_role
from ledger.models import Account, AccountKind, AccountRole
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
