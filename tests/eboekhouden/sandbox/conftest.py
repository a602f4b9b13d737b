"""The sandbox fixtures, until tests/conftest.py lists ``eboekhouden.sandbox.testing`` in ``pytest_plugins``."""

from __future__ import annotations

from eboekhouden.sandbox.testing import (  # noqa: F401
    eboekhouden_sandbox,
    eboekhouden_sandbox_administration,
    eboekhouden_sandbox_factory,
    eboekhouden_sandbox_shared,
)
