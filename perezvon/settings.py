"""Configuration: read once at start-up from the environment and `.env`, validated, passed in."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from perezvon.logs import TOKEN_RE
from store.client import PoolPolicy
from store.redis_url import parse as parse_redis_url

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"


class ConfigError(Exception):
    """A configuration mistake, worded as one line that names the variable."""


class Settings(BaseSettings):
    """Every option of the service; names are the environment variables (spec §9)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    redis_url: str | None = Field(None, description="Redis to use; unset = embedded server")
    data_dir: Path = Field(Path("./data"), description="Where embedded Redis and secrets live")
    redis_appendfsync: Literal["always", "everysec", "no"] = "always"
    # The Redis client of every process (store/client.py, docs/configuration.md#redis).
    redis_max_connections: int = Field(128, ge=1, le=10_000)
    redis_pool_timeout: float = Field(5.0, gt=0, le=300)
    redis_health_check_interval: float = Field(10.0, ge=0, le=3600)
    redis_replica_wait_ms: int = Field(1000, ge=0, le=60_000)
    # Slow or greedy HTTP clients (webhook_ingest/limits.py).
    ingest_header_timeout: float = Field(10.0, gt=0, le=600)
    ingest_body_timeout: float = Field(30.0, gt=0, le=3600)
    ingest_max_connections_per_ip: int = Field(256, ge=0, le=100_000)
    bot_token: SecretStr | None = None
    # Sending budget of every bot without a rate of its own (delivery/pacing.py).
    bot_rate_per_second: float = Field(30.0, gt=0, le=1000)
    message_max_wait_hours: float = Field(24.0, gt=0, le=24 * 30)
    telegram_api_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    ingest_host: str = "127.0.0.1"
    ingest_port: int = Field(8080, ge=0, le=65535)
    public_url: AnyHttpUrl | None = None
    secret_key: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    default_lang: Literal["ru", "en"] = "ru"
    default_tz: str = "Europe/Moscow"

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value:
            parse_redis_url(value)  # InvalidRedisUrl is a ValueError: one line, no password
        return value or None

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        # Checked here, not at the first call: a typo is one line at start-up. The shape is the
        # one the log filter masks, so a token that passes can never reach a log in clear.
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None  # `BOT_TOKEN=` in .env means unset: the sandbox
            if not TOKEN_RE.fullmatch(value):
                raise ValueError(
                    "does not look like a bot token (<digits>:<secret>, as @BotFather gives it)"
                )
        return value

    @field_validator("default_tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @property
    def telegram_api(self) -> str:
        return str(self.telegram_api_url).rstrip("/")

    @property
    def redis_pool(self) -> PoolPolicy:
        return PoolPolicy(
            max_connections=self.redis_max_connections,
            timeout=self.redis_pool_timeout,
            health_check_interval=self.redis_health_check_interval,
        )


def load(env_file: str | Path | None = ".env", **overrides: object) -> Settings:
    """Read and validate the settings; any mistake becomes one ConfigError line."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "configuration"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {msg}") from None


def secret_key(settings: Settings) -> str:
    """SECRET_KEY, or one generated once into DATA_DIR and reused on every later start."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key + "\n")
        path.chmod(0o600)
    except OSError as exc:
        raise ConfigError(f"DATA_DIR: cannot write {path}: {exc.strerror}") from None
    log.warning(
        "SECRET_KEY is not set: generated one into %s; back it up — without it the stored "
        "bot tokens cannot be read",
        path,
    )
    return key
