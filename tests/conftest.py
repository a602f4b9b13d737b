"""Shared fixtures for Monitr's test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytest_plugins = ["eboekhouden.sandbox.testing", "tests.connections", "tests.outage"]

# The property tests explore new examples on every local run; CI replays a fixed sequence, so that a red CI is a
# change's doing, not a draw's (a failure found locally is kept in .hypothesis/ and tried first next time).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="Also run the long versions of suites (make test-full).")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="long version; run with make test-full")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_language_afterwards() -> Iterator[None]:
    """A request leaves its language active in the thread (LocaleMiddleware does not undo it): each test starts in
    the default language whatever the one before asked for."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_cache(settings: pytest.FixtureRequest) -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_source_budget() -> None:
    """Each test starts with the whole budget towards e-Boekhouden (integrations.http.budget): a test whose
    sandbox answered 429s halved it, and a worker process a test killed may have left slots behind."""
    from eboekhouden.client.transport import eboekhouden_budget

    budget = eboekhouden_budget()
    if budget is not None:
        budget.reset()


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme BV")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Other BV")


@pytest.fixture
def admin_user(organization):
    return MembershipFactory(organization=organization, role="admin").user


@pytest.fixture
def member_user(organization):
    return MembershipFactory(organization=organization, role="member").user


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def member_client(member_user):
    client = Client()
    client.force_login(member_user)
    return client


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback that Django's SMTP backend sends to; its ``received`` messages."""
    from tests.mailserver import smtp_server

    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield inbox


@pytest.fixture
def worker():
    """Tasks run where they are started, as the worker would run them (a retry runs again at once)."""
    from monitr.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
