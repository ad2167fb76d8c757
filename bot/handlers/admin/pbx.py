"""«Подключения АТС»: a tenant's cloud PBX connectors — list, add (pick a vendor, paste its
secrets, each message deleted at once), the last event and rejection, remove."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import dialog, journal
from bot.handlers.admin.shared import AdminEnv, Screen, Session, send_screen, show, tr
from bot.handlers.common import delete_quietly
from bot.keyboards import admin as kb
from bot.keyboards import admin_pbx as pkb
from store.connectors import Connector
from store.errors import NotFound
from webhook_ingest.connectors import REGISTRY

SECRET = "pbx_secret"
KIND = "pbx"
# vendor -> its setup note (pbx.note.<key>); the CRM family shares one, as do unsigned ones.
NOTES = {
    "mango": "mango", "zadarma": "zadarma", "novofon": "zadarma", "megafon": "crm_api",
    "domru": "crm_api", "gravitel": "crm_api", "westcall": "crm_api", "twilio": "twilio",
    "bitrix24": "bitrix24", "sipuni": "unsigned", "telphin": "unsigned", "uis": "uis",
    "rostelecom": "rostelecom",
}  # fmt: skip


def url(s: Session, c: Connector) -> str:
    return f"{s.env.settings.hooks_url.rstrip('/')}/v1/hooks/{c.vendor}/{c.id}"


def _title(vendor: str) -> str:
    spec = REGISTRY.get(vendor)
    return spec.title if spec else vendor


def _when(ctx: Ctx, s: Session, ts: float) -> str:
    zone = ZoneInfo(s.tenant.tz)
    return datetime.fromtimestamp(ts, zone).strftime(tr(ctx, s, "admin.datetime"))


async def list_screen(ctx: Ctx, s: Session) -> Screen:
    found = await ctx.deps.store.connectors.list(s.tid)
    text = tr(ctx, s, "pbx.title") + ("" if found else "\n\n" + tr(ctx, s, "pbx.none"))
    rows = [[kb.button(tr(ctx, s, "pbx.row", vendor=_title(c.vendor), short=c.id[:6]),
                       pkb.PbxCard(s.tid, c.id))] for c in found]  # fmt: skip
    rows.append([kb.button(tr(ctx, s, "pbx.add"), pkb.PbxAdd(s.tid))])
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen(text, kb.markup(rows))


async def card_screen(ctx: Ctx, s: Session, cid: str) -> Screen:
    c = await ctx.deps.store.connectors.get(cid)  # NotFound -> "gone" in the router
    if c.tenant_id != s.tid:
        raise NotFound(cid)
    st = await ctx.deps.store.connectors.status(c)
    never = tr(ctx, s, "pbx.never")
    event = (tr(ctx, s, "pbx.at", when=_when(ctx, s, st.last_event_at), what=st.last_event)
             if st.last_event_at else never)  # fmt: skip
    rejected = (tr(ctx, s, "pbx.at", when=_when(ctx, s, st.last_rejected_at),
                   what=st.last_rejected) if st.last_rejected_at else never)  # fmt: skip
    text = tr(ctx, s, "pbx.card", vendor=_title(c.vendor), url=url(s, c), event=event,
              rejected=rejected)  # fmt: skip
    rows = [
        [kb.button(tr(ctx, s, "pbx.delete"), pkb.PbxDelete(s.tid, c.id, False))],
        [kb.button(tr(ctx, s, "pbx.back"), pkb.Pbx(s.tid))],
    ]
    return Screen(text, kb.markup(rows))


async def on_list(update: Update, ctx: Ctx, s: Session, data: pkb.Pbx) -> None:
    await show(update, ctx, await list_screen(ctx, s))


async def on_card(update: Update, ctx: Ctx, s: Session, data: pkb.PbxCard) -> None:
    await show(update, ctx, await card_screen(ctx, s, data.conn))


async def on_delete(update: Update, ctx: Ctx, s: Session, data: pkb.PbxDelete) -> str | None:
    c = await ctx.deps.store.connectors.get(data.conn)
    if c.tenant_id != s.tid:
        return tr(ctx, s, "admin.stale.gone")
    if not data.confirmed:
        rows = [
            [kb.button(tr(ctx, s, "pbx.delete_yes"), pkb.PbxDelete(s.tid, c.id, True))],
            [kb.button(tr(ctx, s, "admin.no"), pkb.PbxCard(s.tid, c.id))],
        ]
        text = tr(ctx, s, "pbx.delete_confirm", vendor=_title(c.vendor))
        await show(update, ctx, Screen(text, kb.markup(rows)))
        return None
    await ctx.deps.store.connectors.remove(c.id)
    await show(update, ctx, await list_screen(ctx, s))
    return tr(ctx, s, "pbx.deleted")


async def on_add(update: Update, ctx: Ctx, s: Session, data: pkb.PbxAdd) -> None:
    buttons = [kb.button(v.title, pkb.PbxVendor(s.tid, name)) for name, v in REGISTRY.items()]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([kb.button(tr(ctx, s, "pbx.back"), pkb.Pbx(s.tid))])
    await show(update, ctx, Screen(tr(ctx, s, "pbx.pick_vendor"), kb.markup(rows)))


async def start(update: Update, ctx: Ctx, s: Session, data: pkb.PbxVendor) -> object:
    """A vendor was picked: ask its secrets one by one, or create it at once if it has none."""
    spec = REGISTRY.get(data.vendor)
    if spec is None:
        return ConversationHandler.END
    if not spec.required:
        await _create(update, ctx, s, data.vendor, {})
        return ConversationHandler.END
    await dialog.begin(update, ctx, s, KIND, f"pbx.ask.{spec.required[0]}")
    dialog.remember(ctx, vendor=data.vendor, got={})
    return SECRET


async def got_secret(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    message = update.effective_message
    # A secret: gone from the chat before anything else happens.
    deleted = await delete_quietly(message)
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    if not deleted:
        await ctx.bot.send_message(s.chat_id, tr(ctx, s, "pbx.secret_not_deleted"))
    vendor = str(dialog.recall(ctx, "vendor"))
    got = dict(dialog.recall(ctx, "got") or {})
    spec = REGISTRY[vendor]
    name = spec.required[len(got)]
    value = (message.text or "").strip() if message else ""
    if not value:
        await dialog.ask(ctx, s, "pbx.empty_secret")
        return SECRET
    got[name] = value
    dialog.remember(ctx, got=got)
    if len(got) < len(spec.required):
        await dialog.ask(ctx, s, f"pbx.ask.{spec.required[len(got)]}")
        return SECRET
    await dialog.finish(ctx, s.chat_id)
    await _create(update, ctx, s, vendor, got)
    return ConversationHandler.END


async def _create(
    update: Update, ctx: Ctx, s: Session, vendor: str, options: dict[str, str]
) -> None:
    spec = REGISTRY[vendor]
    c = await ctx.deps.store.connectors.add(s.tid, vendor, options, secret_names=spec.secrets)
    await journal.note(update, ctx, s, "connector.add", f"{vendor} {c.id[:6]}")
    note = tr(ctx, s, f"pbx.note.{NOTES.get(vendor, 'unsigned')}")
    text = tr(ctx, s, "pbx.added", vendor=spec.title, url=url(s, c), note=note)
    await ctx.bot.send_message(s.chat_id, text)
    await send_screen(ctx, s.chat_id, await card_screen(ctx, s, c.id))


ROUTES = {
    pkb.Pbx: on_list,
    pkb.PbxCard: on_card,
    pkb.PbxDelete: on_delete,
    pkb.PbxAdd: on_add,
}
