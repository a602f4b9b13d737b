"""End-to-end tests: Playwright drives Debian's Chromium against a live Monitr server.

Playwright's own browser download does not work on our machines, so the system Chromium is launched. Where it is
missing the tests are skipped, unless ``MONITR_REQUIRE_E2E=1`` (set by CI) makes that an error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitr.celery import app as celery_app

CHROMIUM = Path(os.environ.get("MONITR_CHROMIUM", "/usr/bin/chromium"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e_dir = Path(__file__).parent
    for item in items:
        if e2e_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _chromium_present() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("MONITR_REQUIRE_E2E") == "1":
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does).")
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests.")


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API keeps an event loop running in the test thread, and the session's database set-up may
    # happen after it started; the ORM calls made there are plain synchronous calls, so Django's async-safety
    # guard is lifted for a session that collects browser tests. (The deploy check's test removes it again.)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict, live_server) -> dict:
    return {**browser_context_args, "base_url": live_server.url, "viewport": {"width": 1360, "height": 860}}


@pytest.fixture
def eager_worker():
    # Syncs run right after what starts them (Connect, Import, Sync now), in the web request, instead of in a
    # separate worker.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
