"""Fixtures for the ledger's tests: an administration whose reference data (accounts, relations) is stored."""

from __future__ import annotations

import pytest
from django.db import connection

from ledger.models import AccountKind

from .factories import AccountFactory, AdministrationFactory, CostCenterFactory, RelationFactory


def _books(organization):
    administration = AdministrationFactory(organization=organization)
    for external_id, kind in (
        ("bank", AccountKind.BALANCE_SHEET),
        ("debtors", AccountKind.BALANCE_SHEET),
        ("creditors", AccountKind.BALANCE_SHEET),
        ("vat", AccountKind.BALANCE_SHEET),
        ("revenue", AccountKind.PROFIT_AND_LOSS),
    ):
        AccountFactory(administration=administration, external_id=external_id, kind=kind)
    for external_id in ("rel-1", "rel-2"):
        RelationFactory(administration=administration, external_id=external_id)
    CostCenterFactory(administration=administration, external_id="cc-1")
    return administration


@pytest.fixture
def administration(organization):
    """An administration of the organisation "Acme BV" with accounts bank, debtors, creditors, vat and revenue,
    relations rel-1 and rel-2 and cost centre cc-1."""
    return _books(organization)


@pytest.fixture
def other_administration(other_organization):
    """The same books, kept by another organisation."""
    return _books(other_organization)


@pytest.fixture
def row_versions(db):
    """``row_versions(model)``: ``{pk: xmin}`` of every row of the model, to tell which rows were rewritten.

    PostgreSQL only: a test that asks for it is skipped elsewhere."""
    if connection.vendor != "postgresql":
        pytest.skip("row versions (xmin) are PostgreSQL's")

    def read(model) -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, xmin::text FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            return dict(cursor.fetchall())

    return read
