"""«Позвонить» requests: the bot asks, the process that holds the tenant's AMI link acts.

The protocol of the two Redis lists per link (`dial_queue`, `dial_taken`): the bot pushes one
request (once per user and card while it is pending); the link's owner moves it to `taken`
(LMOVE: one owner gets it), sends the Originate, tells the user the outcome, then drops it. A
request found in `taken` after a restart is never sent again (the phone may have rung): its
user is told the outcome is unknown. Requests older than `MAX_AGE` are not placed at all.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from store import keys

MAX_AGE = 60.0  # a call-back request the owner takes later than this is refused, not dialled
PENDING_TTL = 90  # seconds a (user, card) request blocks a second tap


@dataclass(frozen=True, slots=True)
class DialRequest:
    """Ring `extension`, then bridge it to `number`, for `user` acting on `card`."""

    id: str
    tenant: str
    link: str
    card: str
    user: int
    extension: str
    number: str
    at: float

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> DialRequest | None:
        try:
            d = json.loads(raw)
            return cls(
                id=str(d["id"]),
                tenant=str(d["tenant"]),
                link=str(d["link"]),
                card=str(d["card"]),
                user=int(d["user"]),
                extension=str(d["extension"]),
                number=str(d["number"]),
                at=float(d["at"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class Dials:
    """The call-back request lists of every AMI link."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._r = redis
        self._clock = clock

    async def request(
        self, tid: str, aid: str, card: str, user: int, extension: str, number: str
    ) -> DialRequest | None:
        """Queue one request; None when this user's request for this card is still pending."""
        req = DialRequest(
            secrets.token_hex(6), tid, aid, card, user, extension, number, self._clock()
        )
        once = keys.dial_once(tid, card, user)
        if not await self._r.set(once, req.id, nx=True, ex=PENDING_TTL):
            return None
        await self._r.rpush(keys.dial_queue(aid), req.encode())
        return req

    async def take(self, aid: str) -> DialRequest | None:
        """The oldest waiting request, now marked taken (one owner gets each)."""
        while True:
            raw = await self._r.lmove(keys.dial_queue(aid), keys.dial_taken(aid), "LEFT", "RIGHT")
            if raw is None:
                return None
            req = DialRequest.decode(raw)
            if req is not None:
                return req
            await self._r.lrem(keys.dial_taken(aid), 1, raw)  # unreadable: dropped

    async def done(self, req: DialRequest) -> None:
        """The outcome was told: forget the request (and let the user ask again)."""
        await self._r.lrem(keys.dial_taken(req.link), 1, req.encode())
        await self._r.delete(keys.dial_once(req.tenant, req.card, req.user))

    async def stranded(self, aid: str) -> list[DialRequest]:
        """Requests taken by an owner that stopped before telling the outcome."""
        rows = await self._r.lrange(keys.dial_taken(aid), 0, -1)
        return [r for r in (DialRequest.decode(raw) for raw in rows) if r is not None]

    def too_old(self, req: DialRequest) -> bool:
        return self._clock() - req.at > MAX_AGE
