"""AMI connections the operator configured, one per PBX; the secret is sealed at rest."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from store import keys
from store.crypto import SecretBox
from store.errors import InvalidInput, NotFound
from store.models import AmiLink


class AmiLinks:
    """The operator's list of Asterisk Manager Interface connections."""

    def __init__(self, redis: Redis, box: SecretBox) -> None:
        self._r = redis
        self._box = box

    def _link(self, raw: str) -> AmiLink:
        d = json.loads(raw)
        return AmiLink(
            id=d["id"],
            tenant_id=d["tenant_id"],
            host=d["host"],
            port=d["port"],
            username=d["username"],
            tls=d["tls"],
            secret=self._box.open(d["secret"]),
            did_groups=d.get("did_groups") or {},
            contexts=tuple(d.get("contexts") or ()),
            tls_ca=d.get("tls_ca"),
            dial=bool(d.get("dial")),
            dial_tech=d.get("dial_tech") or "PJSIP",
            dial_context=d.get("dial_context") or "from-internal",
            dial_app=d.get("dial_app") or "",
            dial_data=d.get("dial_data") or "",
        )

    async def add(
        self,
        tid: str,
        host: str,
        port: int,
        username: str,
        secret: str,
        tls: bool,
        *,
        did_groups: dict[str, str] | None = None,
        contexts: tuple[str, ...] = (),
        tls_ca: str | None = None,
        dial: bool = False,
        dial_tech: str = "PJSIP",
        dial_context: str = "from-internal",
        dial_app: str = "",
        dial_data: str = "",
    ) -> AmiLink:
        if not await self._r.exists(keys.tenant(tid)):
            raise NotFound(f"no tenant {tid}")
        if not host or not 0 < port < 65536 or not username or not secret:
            raise InvalidInput("host, a port 1-65535, username and secret are required")
        dial_fields = (dial_tech, dial_context, dial_app, dial_data)
        if any(c in v for v in dial_fields for c in "\r\n") or not dial_tech.isalnum():
            raise InvalidInput("dial settings: a technology like PJSIP, no line breaks")
        aid = str(await self._r.incr(keys.AMI_SEQ))
        record = {
            "id": aid,
            "tenant_id": tid,
            "host": host,
            "port": port,
            "username": username,
            "tls": tls,
            "secret": self._box.seal(secret),
            "did_groups": did_groups or {},
            "contexts": list(contexts),
            "tls_ca": tls_ca,
            "dial": dial,
            "dial_tech": dial_tech,
            "dial_context": dial_context,
            "dial_app": dial_app,
            "dial_data": dial_data,
        }
        if dial:  # the index before the record; a reader checks the record
            await self._r.sadd(keys.ami_dialers(tid), aid)
        await self._r.hset(keys.AMI, aid, json.dumps(record))
        return self._link(json.dumps(record))

    async def list(self) -> list[AmiLink]:
        rows = await self._r.hgetall(keys.AMI)
        return sorted((self._link(v) for v in rows.values()), key=lambda a: int(a.id))

    async def remove(self, aid: str) -> bool:
        raw = await self._r.hget(keys.AMI, aid)
        removed = bool(await self._r.hdel(keys.AMI, aid))
        if raw is not None:  # the index entry after the record
            await self._r.srem(keys.ami_dialers(json.loads(raw)["tenant_id"]), aid)
        # Its «Позвонить» requests have no owner any more (one slot: the keys share a tag).
        await self._r.delete(keys.dial_queue(aid), keys.dial_taken(aid))
        return removed

    async def remove_tenant(self, tid: str) -> None:
        for link in await self.list():
            if link.tenant_id == tid:
                await self.remove(link.id)

    async def can_dial(self, tid: str) -> bool:
        """Whether the tenant has a link allowed to place calls (secrets stay sealed).

        Asked for every card: one read of the tenant's own index (empty for most tenants),
        not a decode of every link of every tenant; an entry counts only while its link is
        there (the index is written before a link and cleared after it)."""
        ids = await self._r.smembers(keys.ami_dialers(tid))
        if not ids:
            return False
        for raw in await self._r.hmget(keys.AMI, sorted(ids)):
            if raw is not None:
                d = json.loads(raw)
                if d.get("tenant_id") == tid and d.get("dial"):
                    return True
        return False

    async def dialer_of(self, tid: str) -> AmiLink | None:
        """The tenant's first AMI link allowed to place calls, if any."""
        return next((a for a in await self.list() if a.tenant_id == tid and a.dial), None)
