"""Fixtures of the API tests: books of Acme BV with a few transactions, and a member's personal API token."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from monitr.accounts.tokens import api_token_create
from tests.dashboards.factories import PAYABLE, RECEIVABLE, Books


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def books(organization) -> Books:
    books = Books.create(organization)
    books.relations("Alpha BV", "Beta & Zonen", "Gamma NV")
    books.invoice("s1", side=RECEIVABLE, day=date(2025, 1, 5), amount="1210.00")
    books.invoice("s2", side=RECEIVABLE, day=date(2025, 2, 5), amount="605.00", relation="rel-2")
    books.invoice("p1", side=PAYABLE, day=date(2025, 3, 5), amount="242.00", relation="rel-3")
    books.payment("b1", day=date(2025, 3, 20), amount="1000.00")
    return books


@pytest.fixture
def other_books(other_organization) -> Books:
    books = Books.create(other_organization, name="Other Books BV")
    books.relations("Secret Customer BV")
    books.invoice("secret", side=RECEIVABLE, day=date(2025, 1, 9), amount="121.00")
    return books


@pytest.fixture
def member_token(member_user, organization) -> str:
    return api_token_create(user=member_user, organization=organization, name="tests").secret


@pytest.fixture
def admin_token(admin_user, organization) -> str:
    return api_token_create(user=admin_user, organization=organization, name="tests").secret


@pytest.fixture
def token_client(member_token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {member_token}")
    return client
