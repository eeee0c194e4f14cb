"""Settings types: everything the shop reads from its environment, in one place.

Values come from ``SHOP_*`` environment variables or a ``.env`` file. Nothing reads
``os.environ`` elsewhere; the composition root builds one :class:`Settings` and
passes the parts each component needs.

Invalid settings raise :class:`SettingsError`, which names every problem at once
by its variable and never quotes a value: a secret must not end up in a terminal,
a CI log or a crash report because it was too short.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = f"sqlite:///{Path('var') / 'shop.sqlite3'}"
DEV_TOKEN_SECRET = "dev-only-token-secret-change-me-0123456789"  # noqa: S105
DEV_WEBHOOK_SECRET = "dev-only-sandbox-webhook-secret-0123456789"  # noqa: S105
MINIMUM_SECRET_LENGTH = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENV_PREFIX = "SHOP_"
SUPPORTED_DATABASES = ("sqlite", "postgresql")


class Environment(StrEnum):
    DEV = "dev"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """The environment does not make valid settings.

    ``problems`` holds one sentence per problem, each naming its variable; the
    message joins them on one line. No value read from the environment is in either.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid settings: " + "; ".join(self.problems))

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> SettingsError:
        problems = []
        # include_input=False: pydantic would otherwise quote the offending value.
        for detail in error.errors(include_input=False, include_url=False, include_context=False):
            field = str(detail["loc"][0]) if detail["loc"] else ""
            variable = f"{ENV_PREFIX}{field.upper()}" if field else "settings"
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(f"{variable}: {message}")
        return cls(problems)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    # Declared first: the secrets' validators read it.
    env: Environment = Environment.DEV
    database_url: str = DEFAULT_DATABASE_URL
    # Defaults are validated too, so that production refuses the development secrets.
    token_secret: SecretStr = Field(default=SecretStr(DEV_TOKEN_SECRET), validate_default=True)
    token_ttl_seconds: int = Field(default=3600, gt=0)
    sandbox_webhook_secret: SecretStr = Field(
        default=SecretStr(DEV_WEBHOOK_SECRET), validate_default=True
    )
    webhook_tolerance_seconds: int = Field(default=300, gt=0)
    public_base_url: str = "http://127.0.0.1:8000"
    relay_poll_seconds: float = Field(default=0.5, gt=0)
    relay_retry_seconds: float = Field(default=1.0, gt=0)
    # A committed message waiting longer than this makes the relay "stalled": logged once,
    # reported by `shop outbox` and /health/ready, and failing `shop outbox --check`.
    relay_stall_seconds: float = Field(default=60.0, gt=0)
    # How often a worker applies the events recorded since to each asynchronous read model.
    projection_poll_seconds: float = Field(default=1.0, gt=0, le=3600)
    # Touched by `shop worker` each time its relay loop turns; read by `shop outbox --check`.
    worker_heartbeat_file: Path | None = None
    sandbox_poll_seconds: float = Field(default=1.0, gt=0)
    max_request_body_bytes: int = Field(default=64 * 1024, gt=0)
    log_level: str = "INFO"

    def __init__(self, **values: Any) -> None:
        """Reads the environment (``values`` win over it); raises :class:`SettingsError`.

        ``from None``: pydantic's own error quotes the input, secrets included, and a
        chained traceback would print it anyway.
        """
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise SettingsError.from_validation_error(error) from None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        # SQLAlchemy's own parse error quotes the URL, and a URL may hold a password.
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            backend = None
        if backend not in SUPPORTED_DATABASES:
            msg = (
                "must be sqlite:///path/to/file.sqlite3 or "
                "postgresql+psycopg://user:password@host:port/database"
            )
            raise ValueError(msg)
        return url

    @field_validator("token_secret", "sandbox_webhook_secret")
    @classmethod
    def _production_needs_real_secrets(cls, secret: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.data.get("env") is Environment.PRODUCTION:
            value = secret.get_secret_value()
            if value in (DEV_TOKEN_SECRET, DEV_WEBHOOK_SECRET):
                msg = "must be set in production (the development default is public)"
                raise ValueError(msg)
            if len(value) < MINIMUM_SECRET_LENGTH:
                msg = f"must be at least {MINIMUM_SECRET_LENGTH} characters long in production"
                raise ValueError(msg)
        return secret

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, level: str) -> str:
        name = level.upper()
        if name not in LOG_LEVELS:
            msg = f"must be one of {', '.join(LOG_LEVELS)}"
            raise ValueError(msg)
        return name

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV
