"""Telling a tenant's admins, once, that Telegram rejected their bot's token.

Two paths notice a revoked token: the bot runtime (polling or getMe fails) and delivery (a
send fails). Both must use this one function, so the admins hear it once whichever path comes
first: the same text key, the same once-flag (delivery's `told_broken` key), the same order.

The flag is set in the same transaction that queues the notice (`Outbox.admins(once=...)`):
the bot runtime and a worker that both detect the revocation queue one notice between them.
"""

from __future__ import annotations

import html

from delivery import keys
from delivery.outbox import Once, Outbox
from perezvon.texts import Catalogue
from store import Store
from store.models import CustomBot

TEXT_KEY = "delivery.bot_broken"
TOLD_TTL = 86_400  # a day later, a new revocation of the same bot is told again


async def tell_admins_once(
    store: Store, catalogue: Catalogue, outbox: Outbox, bot: CustomBot
) -> bool:
    """Queue the «token rejected» notice to the tenant's admins unless it was queued already;
    True when this call queued it. Raises what the store or the outbox raise (retry later)."""
    flag = keys.told_broken(bot.tenant_id, bot.id)
    if await store.once.is_set(flag):
        return False  # the common case, without rendering anything
    tenant = await store.tenants.get(bot.tenant_id)
    text = catalogue.t(
        tenant.lang,
        TEXT_KEY,
        username=html.escape(bot.username),
        name=html.escape(bot.name, quote=False),
    )
    return await outbox.admins(bot.tenant_id, text, once=Once(flag, TOLD_TTL)) is not None
