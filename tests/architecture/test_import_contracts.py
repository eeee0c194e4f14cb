"""The import contracts in pyproject.toml: the project keeps them, and each one bites.

A contract that never fails proves nothing, so for every kind of contract a test
copies the packages, adds one forbidden import, and checks that the linter breaks
that contract, and only that one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "modules", "shop")
CONTRACT_NAMES: dict[str, str] = {
    contract["id"]: contract["name"]
    for contract in tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"][
        "importlinter"
    ]["contracts"]
}


@dataclass(frozen=True)
class LintResult:
    exit_code: int
    output: str

    def status_of(self, contract_id: str) -> str:
        """``KEPT`` or ``BROKEN``, as the linter reports the contract."""
        name = CONTRACT_NAMES[contract_id]
        for line in self.output.splitlines():
            if line.startswith(name + " "):
                # e.g. "KEPT", "BROKEN", "KEPT (11 ignored imports)"
                return line.removeprefix(name).split()[0]
        msg = f"contract {contract_id!r} not in the linter's report:\n{self.output}"
        raise AssertionError(msg)

    def broken(self) -> set[str]:
        return {
            contract_id for contract_id in CONTRACT_NAMES if self.status_of(contract_id) != "KEPT"
        }


def lint_imports(project: Path, *options: str) -> LintResult:
    """Runs import-linter in a fresh interpreter, where ``project``'s packages come first."""
    completed = subprocess.run(  # noqa: S603 - the project's own linter, on a path we made
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-logo",
            *options,
            str(project / "pyproject.toml"),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        # Wide enough that no contract name is wrapped; no colour codes in the report.
        env={**os.environ, "COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"},
        check=False,
    )
    return LintResult(completed.returncode, completed.stdout + completed.stderr)


def test_the_project_keeps_every_import_contract() -> None:
    result = lint_imports(PROJECT_ROOT)

    assert result.exit_code == 0, result.output
    assert result.broken() == set()


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(project: Path, module_file: str, statement: str) -> None:
    path = project / module_file
    existing = path.read_text() if path.exists() else '"""Added by the test."""\n'
    path.write_text(f"{existing}\n{statement}\n")


@pytest.mark.parametrize(
    ("module_file", "statement", "contract_id"),
    [
        pytest.param(
            "shared/leak.py",
            "from modules.carts.contracts import SHOPPING_CART_CONFIRMED",
            "kernel",
            id="the shared kernel imports a module",
        ),
        pytest.param(
            "shared/leak.py",
            "import shop.bootstrap",
            "kernel",
            id="the shared kernel imports the composition root",
        ),
        pytest.param(
            "modules/carts/application/peek.py",
            "import modules.orders.domain",
            "boundaries",
            id="a module imports another module's domain",
        ),
        pytest.param(
            "modules/shipments/api/peek.py",
            "import modules.payments.infrastructure",
            "boundaries",
            id="a module imports another module's infrastructure",
        ),
        pytest.param(
            "modules/carts/infrastructure/upwards.py",
            "import modules.carts.application.commands",
            "layers",
            id="infrastructure imports the application layer",
        ),
        pytest.param(
            "modules/orders/application/upwards.py",
            "import modules.orders.api",
            "layers",
            id="the application layer imports the api",
        ),
        pytest.param(
            "modules/shipments/domain/persistence.py",
            "import sqlalchemy",
            "pure-domain",
            id="a domain imports the database toolkit",
        ),
        pytest.param(
            "modules/orders/domain/schema.py",
            "import pydantic",
            "pure-domain",
            id="a domain imports a schema framework",
        ),
        pytest.param(
            "modules/payments/contracts.py",
            "import modules.payments.domain",
            "contracts",
            id="contracts import their own domain",
        ),
        pytest.param(
            "modules/carts/contracts.py",
            "import modules.carts.infrastructure",
            "contracts",
            id="contracts import their own infrastructure",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    project_copy: Path, module_file: str, statement: str, contract_id: str
) -> None:
    add_import(project_copy, module_file, statement)

    result = lint_imports(project_copy, "--no-cache")

    assert result.exit_code != 0, result.output
    assert result.broken() == {contract_id}, result.output
