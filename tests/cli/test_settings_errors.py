"""Settings the shop refuses: every problem in one line, no secret in it, no traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shop.cli import EXIT_USAGE
from tests.cli.conftest import SHOP, run_shop

TOKEN_SECRET = "prod-token-secret-Zq8vN3rT5wYb2mKd7HxJ"  # 40 characters, none of them default


def pieces_of(secret: str, size: int = 6) -> list[str]:
    """Every run of ``size`` characters: a message quoting any part of the secret has one."""
    return [secret[start : start + size] for start in range(len(secret) - size + 1)]


def assert_keeps_secret(output: str, secret: str) -> None:
    leaked = [piece for piece in pieces_of(secret) if piece in output]
    assert not leaked, f"the output quotes part of a secret: {leaked}"


@pytest.mark.parametrize("command", [["worker"], ["serve"], ["seed"], ["db", "upgrade"]])
def test_a_missing_secret_in_production_is_named_and_the_other_is_not_shown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("SHOP_ENV", "production")
    monkeypatch.setenv("SHOP_TOKEN_SECRET", TOKEN_SECRET)

    outcome = run_shop(capsys, *command)

    assert outcome.status == EXIT_USAGE
    [line] = outcome.stderr_lines
    assert "SHOP_SANDBOX_WEBHOOK_SECRET" in line
    assert "SHOP_TOKEN_SECRET" not in line
    assert_keeps_secret(line, TOKEN_SECRET)


def test_every_problem_is_named_at_once_and_no_value_is_quoted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_ENV", "production")
    monkeypatch.setenv("SHOP_TOKEN_SECRET", "short-secret-Hq2")
    monkeypatch.setenv("SHOP_TOKEN_TTL_SECONDS", "-5")
    monkeypatch.setenv("SHOP_LOG_LEVEL", "chatty")
    monkeypatch.setenv("SHOP_DATABASE_URL", "mysql://shop:pw-Xk3vQ9@db/shop")

    outcome = run_shop(capsys, "worker")

    assert outcome.status == EXIT_USAGE
    [line] = outcome.stderr_lines
    for variable in (
        "SHOP_TOKEN_SECRET",
        "SHOP_SANDBOX_WEBHOOK_SECRET",
        "SHOP_TOKEN_TTL_SECONDS",
        "SHOP_LOG_LEVEL",
        "SHOP_DATABASE_URL",
    ):
        assert variable in line
    for value in ("short-secret-Hq2", "pw-Xk3vQ9", "chatty"):
        assert value not in line


def test_the_console_script_prints_no_traceback(tmp_path: Path) -> None:
    """The installed entry point, in a process of its own, as an operator runs it."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("SHOP_")
    }
    environment |= {"SHOP_ENV": "production", "SHOP_TOKEN_SECRET": TOKEN_SECRET}

    finished = subprocess.run(  # noqa: S603 (a fixed command line)
        [str(SHOP), "worker"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == EXIT_USAGE
    assert "Traceback" not in finished.stderr
    [line] = finished.stderr.splitlines()
    assert "SHOP_SANDBOX_WEBHOOK_SECRET" in line
    assert_keeps_secret(finished.stderr + finished.stdout, TOKEN_SECRET)
