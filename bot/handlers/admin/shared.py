"""What every admin menu shares: its settings, the session check, screens edited in place."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import Ctx
from bot.keyboards.admin import gref
from delivery.deadletters import DeadLetters
from delivery.outbox import Outbox
from perezvon.texts import pick_lang
from store import Store
from store.errors import NotFound
from store.models import DEFAULT_GROUP, Group, Subscription, Tenant

log = logging.getLogger(__name__)

PAGE = 10
SCAN = 500  # subscribers read per round trip when a screen needs all of them


@dataclass(frozen=True)
class AdminSettings:
    """Tunables of the admin menus."""

    input_timeout: float = 600.0  # seconds an «add user / add bot» dialogue waits per answer
    key_visible: float = 60.0  # seconds a freshly rotated API key stays in the chat
    hooks_url: str = "http://127.0.0.1:8080"  # base of cloud PBX connector URLs (PUBLIC_URL)
    forum_code_ttl: float = 900.0  # seconds a «Тема в форуме» link stays usable
    default_rate: float = 30.0  # messages/s of a bot without its own pace (BOT_RATE_PER_SECOND)


@dataclass(frozen=True)
class AdminEnv:
    """What the admin handlers need beyond BotDeps; closed over by `feature()`."""

    outbox: Outbox
    dead_letters: DeadLetters | None
    api_base: str
    settings: AdminSettings


@dataclass(frozen=True)
class Session:
    """An authorized press or message: this chat administers this tenant, through this bot."""

    env: AdminEnv
    tenant: Tenant
    lang: str
    chat_id: int

    @property
    def tid(self) -> str:
        return self.tenant.id


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None


class Stale(Exception):
    """The button refers to something that is gone; the router answers with a short notice."""

    def __init__(self, key: str = "admin.stale.gone") -> None:
        super().__init__(key)
        self.key = key


def t(ctx: Ctx, lang: str, key: str, /, **values: object) -> str:
    return ctx.deps.texts.t(lang, key, **values)


def tr(ctx: Ctx, s: Session, key: str, /, **values: object) -> str:
    return ctx.deps.texts.t(s.lang, key, **values)


def serves(ctx: Ctx, tid: str) -> bool:
    """A tenant's own bot administers only that tenant; the default bot serves every one."""
    me = ctx.deps.me
    return me.is_default or me.tenant_id == tid


async def authorize(ctx: Ctx, env: AdminEnv, chat_id: int, tid: str) -> Session | None:
    """The session when `chat_id` administers `tid` through this bot, else None."""
    store = ctx.deps.store
    if not serves(ctx, tid) or not await store.admins.is_admin(tid, chat_id):
        return None
    try:
        tenant = await store.tenants.get(tid)
    except NotFound:
        return None
    return Session(env, tenant, pick_lang(tenant.lang), chat_id)


async def my_tenants(ctx: Ctx, chat_id: int) -> list[Tenant]:
    """The tenants this chat administers that this bot may serve."""
    store = ctx.deps.store
    found = []
    for tid in await store.admins.tenants_of(chat_id):
        if not serves(ctx, tid):
            continue
        try:
            found.append(await store.tenants.get(tid))
        except NotFound:
            continue
    return found


# --- showing screens ----------------------------------------------------------------------------

_CANNOT_EDIT = ("message to edit not found", "message can't be edited", "there is no text")


async def show(update: Update, ctx: Ctx, screen: Screen) -> int:
    """Edit the pressed menu message in place; send a new one only when it cannot be edited.
    Returns the id of the message that shows the screen (0 without a chat)."""
    query, chat = update.callback_query, update.effective_chat
    if chat is None:
        return 0
    message = query.message if query is not None else None
    if message is not None and message.is_accessible:
        try:
            await ctx.bot.edit_message_text(
                screen.text,
                chat_id=chat.id,
                message_id=message.message_id,
                reply_markup=screen.markup,
            )
            return message.message_id
        except BadRequest as exc:
            text = exc.message.lower()
            if "message is not modified" in text:
                return message.message_id  # the same screen again (a double tap): shown
            if not any(reason in text for reason in _CANNOT_EDIT):
                raise
    return await send_screen(ctx, chat.id, screen)


async def send_screen(ctx: Ctx, chat_id: int, screen: Screen) -> int:
    """A new menu message; returns its id."""
    sent = await ctx.bot.send_message(chat_id, screen.text, reply_markup=screen.markup)
    return sent.message_id


# --- domain helpers ---------------------------------------------------------------------------


def local_time(ctx: Ctx, s: Session, ts: float) -> str:
    try:
        zone = ZoneInfo(s.tenant.tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromtimestamp(ts, zone).strftime(tr(ctx, s, "admin.datetime"))


def group_name(ctx: Ctx, lang: str, group: Group) -> str:
    if group.name:
        return group.name
    return t(ctx, lang, "group.default_name") if group.id == DEFAULT_GROUP else group.id


async def all_groups(store: Store, tid: str) -> list[Group]:
    found: list[Group] = []
    total = await store.groups.count(tid)
    for offset in range(0, total, SCAN):
        found += await store.groups.list(tid, offset, SCAN)
    return found


async def find_group(store: Store, tid: str, ref: str) -> Group:
    """The tenant's group a button names; Stale when none has that ref any more."""
    for group in await all_groups(store, tid):
        if gref(group.id) == ref:
            return group
    raise Stale()


async def all_subs(store: Store, tid: str) -> list[Subscription]:
    found: list[Subscription] = []
    total = await store.subs.count(tid)
    for offset in range(0, total, SCAN):
        found += await store.subs.list(tid, offset, SCAN)
    return found


def pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def clamp(page: int, count: int) -> int:
    return min(max(page, 0), pages(count) - 1)
