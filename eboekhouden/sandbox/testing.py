"""pytest fixtures for a running sandbox (``pytest_plugins = ["eboekhouden.sandbox.testing"]``).

- ``eboekhouden_sandbox_shared`` (session): one sandbox on a free loopback port with a small seeded dataset
  (``TEST_CONFIG``: 3 administrations on one accountant's login, 400 mutations each, ending 2025-12-31).
- ``eboekhouden_sandbox``: the shared sandbox for one test; the faults it sets are cleared afterwards.
- ``eboekhouden_sandbox_administration``: a fresh administration on a login of its own (150 mutations), for a
  test that changes data or credentials; removed afterwards, so other tests never see the change.
- ``eboekhouden_sandbox_factory``: ``factory(**config)`` starts a sandbox with its own config (say
  ``session_seconds=1``); all are stopped afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from .model import AdministrationInfo
from .server import Sandbox, SandboxConfig

FRESH_ADMINISTRATION_SEED = "monitr-tests/fresh"
TEST_CONFIG = SandboxConfig(seed=20251231, mutations=400, administrations=3, end_date=date(2025, 12, 31))


@pytest.fixture(scope="session")
def eboekhouden_sandbox_shared() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(TEST_CONFIG)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def eboekhouden_sandbox(eboekhouden_sandbox_shared: Sandbox) -> Iterator[Sandbox]:
    yield eboekhouden_sandbox_shared
    eboekhouden_sandbox_shared.clear_faults()


@pytest.fixture
def eboekhouden_sandbox_administration(eboekhouden_sandbox: Sandbox) -> Iterator[AdministrationInfo]:
    # Always the same seed: every test gets the same books, whichever tests ran before it (the administration is
    # removed afterwards, so two tests never share one).
    info = eboekhouden_sandbox.add_administration(mutations=150, seed=FRESH_ADMINISTRATION_SEED)
    try:
        yield info
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


@pytest.fixture
def eboekhouden_sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def factory(**changes: Any) -> Sandbox:
        sandbox = Sandbox.start(replace(TEST_CONFIG, **changes))
        started.append(sandbox)
        return sandbox

    try:
        yield factory
    finally:
        for sandbox in started:
            sandbox.stop()
