"""Who is calling: the tenant's API key or one of its ingest tokens (one per PBX), from the
headers, resolved through a short-lived cache."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from store import Store
from store.crypto import API_KEY_PREFIX, INGEST_TOKEN_PREFIX, digest, looks_like_api_key
from store.ingest_tokens import looks_like_ingest_token
from store.models import Tenant
from webhook_ingest.errors import IngestError

# A rotated or deleted key keeps working in one process for at most this long.
DEFAULT_TTL = 1.0
DEFAULT_MAX_ENTRIES = 10_000
KEY_SHAPE = re.compile(
    f"({re.escape(API_KEY_PREFIX)}|{re.escape(INGEST_TOKEN_PREFIX)})" + r"[\w-]+"
)


def redact(text: str) -> str:
    """The text with anything shaped like an API key or ingest token blanked (a PBX may put
    one in a URL)."""
    return KEY_SHAPE.sub(lambda m: m.group(1) + "<redacted>", text)


def presented_key(headers: Mapping[str, str]) -> str:
    """The key from `Authorization: Bearer` (preferred) or `X-API-Key`; raises `missing_key`."""
    auth = headers.get("Authorization")
    if auth is not None:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise IngestError("missing_key", "the Authorization header must be 'Bearer <key>'")
    key = headers.get("X-API-Key", "").strip()
    if not key:
        raise IngestError("missing_key")
    return key


class TenantKeys:
    """Resolves keys via `store.tenants.resolve_key`, remembering answers for `ttl` seconds.

    Entries are keyed by the key's SHA-256, never the key itself; unknown keys are not
    remembered, so a freshly created tenant works at once and garbage cannot fill the cache.
    A dict lookup by digest can leak timing about the digest only, which says nothing about
    any key; the store compares the stored hash in constant time on every miss.
    """

    def __init__(
        self,
        store: Store,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._cache: OrderedDict[str, tuple[float, Tenant]] = OrderedDict()

    async def tenant(self, api_key: str) -> Tenant:
        """The tenant of this key or live ingest token; raises `invalid_key` for anything else
        (a wrong key, a revoked token: the same 401, whether or not any tenant is close)."""
        if not (looks_like_api_key(api_key) or looks_like_ingest_token(api_key)):
            raise IngestError("invalid_key")
        handle = digest(api_key)
        now = self._clock()
        hit = self._cache.get(handle)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = await self._resolve(api_key)
        if tenant is None:
            self._cache.pop(handle, None)
            raise IngestError("invalid_key")
        if self._ttl > 0:
            self._cache[handle] = (now + self._ttl, tenant)
            self._cache.move_to_end(handle)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return tenant

    async def _resolve(self, secret: str) -> Tenant | None:
        # Both stores compare the stored hash with hmac.compare_digest.
        if secret.startswith(INGEST_TOKEN_PREFIX):
            found = await self._store.ingest_tokens.resolve(secret)
            return found[0] if found is not None else None
        return await self._store.tenants.resolve_key(secret)
