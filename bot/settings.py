"""All configuration in one pydantic-settings object, read from the environment and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[frozenset[str], NoDecode]


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'opengov-bot.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    default_language: Literal["en", "fr"] = "en"
    log_level: str = "INFO"
    timezone: str = "Europe/Paris"

    # Status feed (issue: follow and be told)
    status_feed_url: str | None = None
    status_feed_interval: int = Field(default=900, ge=10, description="seconds between two polls")

    # Digests, delivered at this local hour (TIMEZONE); weekly ones on this weekday (0 = Monday)
    digest_hour: int = Field(default=8, ge=0, le=23)
    digest_weekday: int = Field(default=0, ge=0, le=6)

    # Delivery worker
    worker_interval: float = Field(default=2.0, gt=0)
    worker_batch: int = Field(default=50, ge=1)
    worker_concurrency: int = Field(default=8, ge=1, description="deliveries at once (each holds one connection)")
    worker_lease_seconds: float = Field(default=120, gt=0, description="a claimed row is retried after this")
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=5.0, gt=0)
    console_rate_limit: float = Field(default=0, ge=0, description="messages/s, 0 = unlimited")
    telegram_rate_limit: float = Field(default=30, ge=0)
    discord_rate_limit: float = Field(default=40, ge=0)

    # Admins: comma-separated user ids per platform
    console_admin_ids: IdList = frozenset({"admin"})
    telegram_admin_ids: IdList = frozenset()
    discord_admin_ids: IdList = frozenset()

    # Telegram
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    port: int = 8080

    # Discord
    discord_token: SecretStr | None = None
    discord_api_base: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    discord_dev_guild_id: int | None = None

    @field_validator("console_admin_ids", "telegram_admin_ids", "discord_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    def admin_ids(self, platform: str) -> frozenset[str]:
        return getattr(self, f"{platform}_admin_ids", frozenset())

    def rate_limit(self, platform: str) -> float:
        return getattr(self, f"{platform}_rate_limit", 0.0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
