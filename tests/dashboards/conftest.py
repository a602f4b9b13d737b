"""Fixtures for the dashboards' tests: today, and books of "Acme BV" with a few relations."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from .factories import Books


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # The factories set a password on every user; the default hasher would make each test take half a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today() -> date:
    # The dashboards read "today" in the site's time zone; the tests build their data relative to the same day.
    return timezone.localdate()


@pytest.fixture
def books(organization) -> Books:
    """Acme BV's administration with relations rel-1 "Alpha BV", rel-2 "Beta & Zonen", rel-3 "Gamma NV"."""
    books = Books.create(organization)
    books.relations("Alpha BV", "Beta & Zonen", "Gamma NV")
    return books


@pytest.fixture
def other_books(other_organization) -> Books:
    """Other BV's administration, whose data must never show up for Acme BV."""
    books = Books.create(other_organization, name="Other Books BV")
    books.relations("Secret Customer BV", prefix="rel")
    return books
