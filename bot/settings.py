"""All configuration in one pydantic-settings object, read from the environment and an optional .env file."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[frozenset[str], NoDecode]


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'opengov-bot.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    default_language: Literal["en", "fr"] = "en"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line (for log collectors)
    timezone: str = "Europe/Paris"
    # "who leads it?", "suivre" refer to the item shown last in the chat for this many minutes
    followup_minutes: float = Field(default=10, ge=0)

    # Status feed (issue: follow and be told)
    status_feed_url: str | None = None
    status_feed_interval: int = Field(default=900, ge=10, description="seconds between two polls")
    status_feed_timeout: float = Field(default=60.0, gt=0, description="seconds for a whole feed download")

    # A Decidim tracker's accountability results as a status source (issue 11; bot/following/decidim.py): its open-data
    # export (https://HOST/open-data/download, a ZIP of CSV files) or its results CSV, read with a mapping file
    # (Decidim result id -> action id, status key -> IRM level; see examples/decidim-mapping.yaml).
    decidim_url: str | None = None
    decidim_mapping: str | None = None
    decidim_interval: int = Field(default=3600, ge=10, description="seconds between two polls")

    # Digests, delivered at this local hour (TIMEZONE); weekly ones on this weekday (0 = Monday)
    digest_hour: int = Field(default=8, ge=0, le=23)
    digest_weekday: int = Field(default=0, ge=0, le=6)

    # Delivery worker
    worker_interval: float = Field(default=2.0, gt=0)
    worker_batch: int = Field(default=50, ge=1)
    worker_concurrency: int = Field(default=8, ge=1, description="sends at once (a batch in flight holds one connection)")
    worker_lease_seconds: float = Field(default=120, gt=0, description="a claimed row is retried after this")
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=5.0, gt=0)
    console_rate_limit: float = Field(default=0, ge=0, description="messages/s, 0 = unlimited")
    telegram_rate_limit: float = Field(default=30, ge=0)
    discord_rate_limit: float = Field(default=40, ge=0)
    # One limit per platform across processes (issue 12): the limiter's state in Redis when this is set
    redis_url: str | None = None
    redis_key_prefix: str = "opengov-bot:"
    rate_limit_processes: int = Field(default=4, ge=1, description="while Redis is unreachable, each process "
                                      "sends at most 1/this of each limit")

    # Retention (issue 12): sent alerts and console-inbox rows older than this are purged daily, in batches
    retention_days: int = Field(default=30, ge=1)
    retention_batch: int = Field(default=5000, ge=1, description="rows deleted per transaction")

    # Start-up and supervision (issue 9): retries with exponential backoff from `startup_retry_base` seconds,
    # capped at `startup_retry_max`; the database is waited for `startup_timeout` seconds (0 = forever), a
    # platform that cannot start keeps retrying in the background. A part that dies at run time is restarted;
    # `restart_max_failures` deaths within `restart_window` seconds make the process exit non-zero.
    startup_retry_base: float = Field(default=1.0, gt=0)
    startup_retry_max: float = Field(default=60.0, gt=0)
    startup_timeout: float = Field(default=300.0, ge=0)
    restart_max_failures: int = Field(default=5, ge=1)
    restart_window: float = Field(default=300.0, gt=0)
    supervise_interval: float = Field(default=5.0, gt=0, description="seconds between two health checks")

    # Process types (issue 12): connections each process may hold, None = the default of its type (README)
    db_pool_size: int | None = Field(default=None, ge=1)
    db_max_overflow: int | None = Field(default=None, ge=0)
    clock_standby_interval: float = Field(default=5.0, gt=0, description="seconds between a standby's tries")
    metrics_port: int | None = Field(default=None, ge=0, le=65535,
                                     description="worker/clock/gateway serve /healthz and /metrics here")

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

    # Public pages and Atom feeds (issue 13): where they are served, as people reach them (https://example.org);
    # set, answers, alerts and `show` link to the item's page instead of the plan's source passage
    public_url: str | None = None
    # The bot's Telegram username (without @): the pages' "follow on Telegram" deep links; unset, no link
    telegram_bot_username: str | None = None

    # Discord
    discord_token: SecretStr | None = None
    discord_api_base: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    discord_dev_guild_id: int | None = None
    # Sharding (`opengov-bot gateway`): the total number of shards, and the ones this process runs (all if unset)
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: Annotated[tuple[int, ...], NoDecode] = ()

    @field_validator("console_admin_ids", "telegram_admin_ids", "discord_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _split_shards(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", ",").split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.discord_shard_ids:
            if self.discord_shard_count is None:
                raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
            wrong = [i for i in self.discord_shard_ids if not 0 <= i < self.discord_shard_count]
            if wrong:
                raise ValueError(f"DISCORD_SHARD_IDS {wrong} outside 0..{self.discord_shard_count - 1}")
        return self
    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().rstrip("/")
            if not value:
                return None
            if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
                raise ValueError("PUBLIC_URL must be an http(s) address such as https://example.org")
        return value

    @field_validator("telegram_bot_username", mode="before")
    @classmethod
    def _bot_username(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().removeprefix("@")
            if not value:
                return None
            if not re.fullmatch(r"[A-Za-z0-9_]{4,32}", value):
                raise ValueError("TELEGRAM_BOT_USERNAME must be a Telegram username (letters, digits, _)")
        return value

    def admin_ids(self, platform: str) -> frozenset[str]:
        return getattr(self, f"{platform}_admin_ids", frozenset())

    def rate_limit(self, platform: str) -> float:
        return getattr(self, f"{platform}_rate_limit", 0.0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
