"""The import arrows between the apps: dashboards → ledger ← integrations ← providers, and everyone → monitr.

A second bookkeeping source is one app beside the first, registered with the integrations and changing nothing
else: that holds only while the integrations name no provider and the pages that read the books name neither the
integrations nor a provider. Every import counts, a function's own as well as the module's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

from integrations import registry

ROOT = Path(__file__).resolve().parents[2]


def _project_apps() -> set[str]:
    """Monitr's own apps: the top-level packages of the installed apps that live in this repository."""
    return {
        config.name.split(".")[0] for config in apps.get_app_configs() if (ROOT / config.name.split(".")[0]).is_dir()
    }


def _provider_apps() -> set[str]:
    return {type(provider).__module__.split(".")[0] for provider in registry.all_providers()} & _project_apps()


def _imported_apps(app: str, *, skip: tuple[str, ...] = ()) -> dict[str, set[str]]:
    """Each other project app ``app`` imports, with the files that import it."""
    found: dict[str, set[str]] = {}
    project = _project_apps()
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(skip):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in project and top not in {app, "monitr"}:
                    found.setdefault(top, set()).add(relative)
    return found


def test_there_is_a_provider_to_check_against():
    assert "eboekhouden" in _provider_apps()


def test_the_integrations_import_no_provider_and_no_page_of_the_books():
    imported = _imported_apps("integrations")

    assert {app: files for app, files in imported.items() if app in _provider_apps() | {"dashboards"}} == {}


def test_the_pages_of_the_books_import_neither_the_integrations_nor_a_provider():
    imported = _imported_apps("dashboards")

    assert {app: files for app, files in imported.items() if app in _provider_apps() | {"integrations"}} == {}


@pytest.mark.parametrize("provider", sorted(_provider_apps()))
def test_a_provider_imports_no_other_provider_and_no_page_of_the_books(provider):
    imported = _imported_apps(provider)

    assert {
        app: files for app, files in imported.items() if app in (_provider_apps() - {provider}) | {"dashboards"}
    } == {}


def test_the_ledger_imports_no_other_app():
    # ledger/api/ is the read API over every app's data (the dashboards' figures, the integrations' sync runs), not
    # the ledger's own code: it is the one part of ledger/ that may name other apps.
    imported = _imported_apps("ledger", skip=("ledger/api/",))

    assert imported == {}
