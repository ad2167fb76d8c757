"""Where the service's Redis comes from: REDIS_URL, or the embedded server under DATA_DIR."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from perezvon.embedded_redis import DataDirInUse, EmbeddedRedis, EmbeddedRedisError
from perezvon.settings import ConfigError, Settings, secret_key
from store import Store, connect
from store.client import describe
from store.crypto import SecretBox
from store.durability import Replication
from store.errors import SecretKeyMismatch


class RedisUnavailable(Exception):
    """Redis could not be reached or started; the message says which and why."""


@contextlib.asynccontextmanager
async def open_redis(settings: Settings, *, own: bool) -> AsyncIterator[Redis]:
    """A client; with no REDIS_URL, the embedded server (`own`: the service starts and stops it;
    otherwise a CLI command attaches to the running service's server or starts one briefly)."""
    embedded: EmbeddedRedis | None = None
    url = settings.redis_url
    if url is None:
        embedded = EmbeddedRedis(settings.data_dir, settings.redis_appendfsync)
        try:
            url = embedded.start() if own else embedded.attach_or_start()
        except DataDirInUse as exc:
            # A second service on the same data: a configuration mistake, not an outage.
            raise ConfigError(f"DATA_DIR: {exc}") from None
        except EmbeddedRedisError as exc:
            raise RedisUnavailable(f"embedded Redis: {exc}") from None
    client = connect(url, policy=settings.redis_pool)
    try:
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(f"REDIS_URL: cannot reach Redis ({describe(exc)})") from None
        yield client
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()


@contextlib.asynccontextmanager
async def open_store(settings: Settings, *, own: bool = False) -> AsyncIterator[Store]:
    """A migrated store over `open_redis`."""
    try:
        box = SecretBox(secret_key(settings))
    except ValueError as exc:
        raise ConfigError(f"SECRET_KEY: {exc}") from None
    async with open_redis(settings, own=own) as redis:
        store = Store(redis, box, replication=Replication(redis, settings.redis_replica_wait_ms))
        await store.migrate()
        try:
            await store.check_secret()
        except SecretKeyMismatch as exc:
            raise ConfigError(
                f"SECRET_KEY: {exc}".replace("SECRET_KEY differs", "differs")
            ) from None
        yield store
