"""The read API's packages keep Monitr's import arrows: dashboards → ledger ← integrations ← providers, every app may
import monitr, and monitr imports no app. Read from the source by grimp with the imports of imports, so that an API
module cannot reach a forbidden app through a module in between either (ledger's API pulling in the dashboards'
mapping, and the integrations' API pulling it in through ledger's, is how it went wrong before)."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Monitr's own top-level packages, a new provider's included as soon as it exists. The tests and the benchmarks are
# no app: they may import anything.
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests", "bench"))

# Each API package, and the packages of the project that it may import.
MAY_IMPORT = {
    "monitr.api": {"monitr"},
    "ledger.api": {"ledger", "monitr"},
    "integrations.api": {"integrations", "ledger", "monitr"},
    "dashboards.api": {"dashboards", "ledger", "monitr"},
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def chains(graph: grimp.ImportGraph, importer: str, imported: str) -> set[tuple[str, ...]]:
    return graph.find_shortest_chains(importer=importer, imported=imported, as_packages=True)


def test_the_graph_reads_the_apps_and_their_imports(graph):
    assert {"monitr", "ledger", "dashboards", "integrations", "eboekhouden"} <= set(PACKAGES)
    # Allowed arrows are found, so an empty answer below means no import, not an unread package.
    assert chains(graph, "dashboards.api", "ledger")
    assert chains(graph, "integrations.api", "monitr.api")


@pytest.mark.parametrize("api", MAY_IMPORT)
def test_an_api_package_imports_no_app_its_app_may_not(graph, api):
    found = {
        " → ".join(chain)
        for package in PACKAGES
        if package not in MAY_IMPORT[api]
        for chain in chains(graph, api, package)
    }

    assert not found, f"{api} may import only {sorted(MAY_IMPORT[api])}; it reaches others by:\n" + "\n".join(
        sorted(found)
    )
