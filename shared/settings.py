"""Settings types: everything the shop reads from its environment, in one place.

Values come from ``SHOP_*`` environment variables or a ``.env`` file. Nothing reads
``os.environ`` elsewhere; the composition root builds one :class:`Settings` and
passes the parts each component needs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path('var') / 'shop.sqlite3'}"
DEV_TOKEN_SECRET = "dev-only-token-secret-change-me-0123456789"  # noqa: S105
DEV_WEBHOOK_SECRET = "dev-only-sandbox-webhook-secret-0123456789"  # noqa: S105


class Environment(StrEnum):
    DEV = "dev"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEV
    database_url: str = DEFAULT_DATABASE_URL
    token_secret: SecretStr = SecretStr(DEV_TOKEN_SECRET)
    token_ttl_seconds: int = Field(default=3600, gt=0)
    sandbox_webhook_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    webhook_tolerance_seconds: int = Field(default=300, gt=0)
    public_base_url: str = "http://127.0.0.1:8000"
    relay_poll_seconds: float = Field(default=0.5, gt=0)
    relay_retry_seconds: float = Field(default=1.0, gt=0)
    # A committed message waiting longer than this makes the relay "stalled": logged once,
    # reported by `shop outbox` and /health/ready, and failing `shop outbox --check`.
    relay_stall_seconds: float = Field(default=60.0, gt=0)
    # Touched by `shop worker` each time its relay loop turns; read by `shop outbox --check`.
    worker_heartbeat_file: Path | None = None
    sandbox_poll_seconds: float = Field(default=1.0, gt=0)
    max_request_body_bytes: int = Field(default=64 * 1024, gt=0)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            for name, dev_value in (
                ("token_secret", DEV_TOKEN_SECRET),
                ("sandbox_webhook_secret", DEV_WEBHOOK_SECRET),
            ):
                secret: SecretStr = getattr(self, name)
                if secret.get_secret_value() == dev_value or len(secret.get_secret_value()) < 32:
                    msg = f"SHOP_{name.upper()} must be set to a secret of 32+ characters"
                    raise ValueError(msg)
        return self

    @property
    def is_dev(self) -> bool:
        return self.env is Environment.DEV
