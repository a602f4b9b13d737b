"""The arrows between Monitr's apps, as the import contracts in pyproject.toml state them.

dashboards → ledger ← integrations ← providers, every app → monitr, none back. The contracts hold for the real tree,
they name a wrong import when one is added, and every app of ours is under them (an app that is not a root package
of the contracts is not checked at all; nor is one mypy is not given).

lint-imports runs in a subprocess: it finds its root packages with importlib, and in this process ``monitr`` and the
apps are already imported from the real tree, so a scratch copy would never be read.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
TOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
CONFIG = TOOLS["importlinter"]
ROOT_PACKAGES: list[str] = CONFIG["root_packages"]


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def scratch_tree(tmp_path: Path) -> Path:
    """A copy of the apps and the contracts, to add a wrong import to; the real tree is never touched."""
    for package in ROOT_PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_module(tree: Path, dotted: str, source: str) -> None:
    path = tree.joinpath(*dotted.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for package in path.relative_to(tree).parents:
        if package != Path("."):
            (tree / package / "__init__.py").touch()
    path.write_text(textwrap.dedent(source))


def test_every_app_of_ours_is_a_root_package_of_the_contracts():
    tops = {config.name.split(".")[0]: Path(config.path) for config in apps.get_app_configs()}
    ours = {top for top, path in tops.items() if path.resolve().is_relative_to(ROOT / top)}

    assert ours == set(ROOT_PACKAGES), "pyproject.toml [tool.importlinter] root_packages must list every app of ours"


def test_the_type_checker_reads_every_app_of_ours():
    checked = TOOLS["mypy"]["files"]

    assert set(checked) == set(ROOT_PACKAGES), "pyproject.toml [tool.mypy] files must list every app of ours"


def test_every_root_package_has_its_place_in_the_layers():
    (layers,) = (contract for contract in CONFIG["contracts"] if contract["type"] == "layers")
    placed = {name.strip().strip("()") for layer in layers["layers"] for name in re.split(r"[|:]", layer)}

    assert set(ROOT_PACKAGES) <= placed


def test_the_real_tree_keeps_every_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("ledger", "dashboards"),
        ("ledger", "integrations"),
        ("ledger", "eboekhouden"),
        ("ledger", "ledgerfile"),
        ("dashboards", "integrations"),
        ("dashboards", "eboekhouden"),
        ("integrations", "dashboards"),
        ("integrations", "eboekhouden"),
        ("integrations", "ledgerfile"),
        ("eboekhouden", "dashboards"),
        ("eboekhouden", "ledgerfile"),
        ("ledgerfile", "eboekhouden"),
        ("ledgerfile", "dashboards"),
        ("monitr", "ledger"),
        ("monitr", "dashboards"),
        ("monitr", "integrations"),
    ],
)
def test_an_import_against_the_arrows_breaks_a_contract_and_is_named(tmp_path, importer, imported):
    tree = scratch_tree(tmp_path)
    # Inside a function, as a lazy import is written: still an arrow.
    add_module(tree, f"{importer}.wrong_way", f"def read():\n    import {imported}\n\n    return {imported}\n")

    result = lint_imports(tree)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{importer}.wrong_way -> {imported} (l.2)" in result.stdout, result.stdout


def test_an_import_along_the_arrows_breaks_nothing_new(tmp_path):
    tree = scratch_tree(tmp_path)
    add_module(tree, "ledgerfile.right_way", "import integrations\nimport ledger\nimport monitr\n")
    add_module(tree, "eboekhouden.right_way", "import integrations\nimport ledger\nimport monitr\n")
    add_module(tree, "dashboards.right_way", "import ledger\nimport monitr\n")
    add_module(tree, "integrations.right_way", "import ledger\nimport monitr\n")
    add_module(tree, "ledger.right_way", "import monitr\n")

    result = lint_imports(tree)

    assert "right_way" not in result.stdout, result.stdout
    assert "Contracts:" in result.stdout, result.stdout + result.stderr
