"""Settings: what production refuses, and that a refusal never quotes a value."""

from __future__ import annotations

import traceback

import pytest

from shared.settings import (
    DEV_TOKEN_SECRET,
    DEV_WEBHOOK_SECRET,
    Environment,
    Settings,
    SettingsError,
)

REAL_SECRET = "a-real-secret-of-forty-characters-0123456"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def refusal(**values: object) -> SettingsError:
    with pytest.raises(SettingsError) as raised:
        settings(**values)
    return raised.value


def test_development_runs_on_the_defaults() -> None:
    defaults = settings()

    assert defaults.env is Environment.DEV
    assert defaults.token_secret.get_secret_value() == DEV_TOKEN_SECRET


def test_production_runs_on_real_secrets() -> None:
    production = settings(
        env="production", token_secret=REAL_SECRET, sandbox_webhook_secret=REAL_SECRET
    )

    assert not production.is_dev


def test_production_refuses_the_development_secrets_and_names_both() -> None:
    error = refusal(env="production")

    reason = "must be set in production (the development default is public)"
    assert error.problems == (
        f"SHOP_TOKEN_SECRET: {reason}",
        f"SHOP_SANDBOX_WEBHOOK_SECRET: {reason}",
    )


def test_production_refuses_a_short_secret_without_quoting_it() -> None:
    error = refusal(env="production", token_secret="short-Yq7", sandbox_webhook_secret=REAL_SECRET)

    assert error.problems == (
        "SHOP_TOKEN_SECRET: must be at least 32 characters long in production",
    )
    assert "short-Yq7" not in "".join(traceback.format_exception(error))


def test_a_refusal_and_its_traceback_quote_no_secret() -> None:
    """Pydantic's own error quotes every input; not a line of it may reach a log."""
    error = refusal(env="production", token_secret=REAL_SECRET, token_ttl_seconds=0)

    printed = "".join(traceback.format_exception(error))
    assert REAL_SECRET[-8:] not in printed
    assert DEV_WEBHOOK_SECRET[-8:] not in printed
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_field_errors_and_production_errors_come_together() -> None:
    error = refusal(env="production", token_ttl_seconds=0, log_level="loud")

    assert [problem.split(":")[0] for problem in error.problems] == [
        "SHOP_TOKEN_SECRET",
        "SHOP_TOKEN_TTL_SECONDS",
        "SHOP_SANDBOX_WEBHOOK_SECRET",
        "SHOP_LOG_LEVEL",
    ]
    assert str(error).startswith("invalid settings: SHOP_TOKEN_SECRET: ")
    assert "\n" not in str(error)


@pytest.mark.parametrize("url", ["mysql://shop:pw-Tq4@db/shop", "not a url, pw-Tq4"])
def test_an_unsupported_database_url_is_refused_without_its_password(url: str) -> None:
    error = refusal(database_url=url)

    assert error.problems[0].startswith("SHOP_DATABASE_URL: must be sqlite:///")
    assert "pw-Tq4" not in str(error)


def test_the_projections_poll_every_second_unless_set() -> None:
    assert settings().projection_poll_seconds == 1.0
    assert settings(projection_poll_seconds="0.25").projection_poll_seconds == 0.25


@pytest.mark.parametrize("seconds", ["0", "-1", "3601", "often"])
def test_a_projection_poll_interval_that_is_not_a_positive_time_within_an_hour_is_refused(
    seconds: str,
) -> None:
    [problem] = refusal(projection_poll_seconds=seconds).problems

    assert problem.startswith("SHOP_PROJECTION_POLL_SECONDS: ")


def test_the_log_level_is_any_case_of_a_known_one() -> None:
    assert settings(log_level="debug").log_level == "DEBUG"
    assert refusal(log_level="verbose").problems == (
        "SHOP_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    )
