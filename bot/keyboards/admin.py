"""The admin menu's buttons: every payload kind, their registry, and shared keyboard pieces.

Every kind names the tenant it acts on first, so the router can check, for every press, that
the chat administers that tenant. Groups are named by `gref` (a short hash of the group id):
a PBX group id may be 64 characters long, and the whole payload must fit in 64 bytes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards import access
from bot.keyboards.callbacks import SEP, BadCallbackData, CallbackData
from perezvon.texts import Catalogue

ALL = "*"  # in a group-ref field: every group
LABEL = 60  # longer button labels (a 256-character group name) are cut


def gref(group_id: str) -> str:
    """Eight url-safe characters naming a group in a payload (48 bits: no tenant has that
    many groups for a collision to matter; a miss reads as a stale button)."""
    digest = hashlib.sha256(group_id.encode()).digest()
    return base64.urlsafe_b64encode(digest)[:8].decode()


@dataclass(frozen=True)
class Menu(CallbackData, prefix="am"):
    tenant: str


@dataclass(frozen=True)
class Tenants(CallbackData, prefix="at"):
    tenant: str  # the tenant of the menu the button sits in (checked like any other)


@dataclass(frozen=True)
class TenantPage(CallbackData, prefix="atp"):
    tenant: str  # a tenant this chat administers (any: the picker is not one tenant's screen)
    page: int = 0


@dataclass(frozen=True)
class Logout(CallbackData, prefix="ao"):
    tenant: str


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="ax"):
    tenant: str


@dataclass(frozen=True)
class Groups(CallbackData, prefix="ag"):
    tenant: str
    page: int = 0


@dataclass(frozen=True)
class GroupSet(CallbackData, prefix="ags"):
    tenant: str
    group: str
    on: bool
    page: int = 0


@dataclass(frozen=True)
class GroupNewOn(CallbackData, prefix="agn"):
    tenant: str
    group: str


@dataclass(frozen=True)
class GroupNewOff(CallbackData, prefix="agf"):
    """Under «the PBX named a new group» when the tenant's policy switched it on."""

    tenant: str
    group: str


@dataclass(frozen=True)
class NewGroupsPolicy(CallbackData, prefix="agp"):
    """Whether groups the PBX names from now on notify at once (the tenant's new_groups)."""

    tenant: str
    on: bool
    page: int = 0


@dataclass(frozen=True)
class Users(CallbackData, prefix="au"):
    tenant: str
    page: int = 0


@dataclass(frozen=True)
class UserList(CallbackData, prefix="aul"):
    tenant: str
    group: str  # gref, or ALL
    page: int = 0


@dataclass(frozen=True)
class UserCard(CallbackData, prefix="auc"):
    tenant: str
    chat: int
    group: str
    page: int = 0


@dataclass(frozen=True)
class UserSwitch(CallbackData, prefix="aus"):
    tenant: str
    chat: int
    on: bool
    group: str
    page: int = 0


@dataclass(frozen=True)
class UserGroups(CallbackData, prefix="aug"):
    tenant: str
    chat: int
    group: str
    page: int = 0
    gpage: int = 0


@dataclass(frozen=True)
class UserFollow(CallbackData, prefix="auf"):
    tenant: str
    chat: int
    target: str  # gref, or ALL
    on: bool
    group: str
    page: int = 0
    gpage: int = 0


@dataclass(frozen=True)
class UserDelete(CallbackData, prefix="aud"):
    tenant: str
    chat: int
    confirmed: bool
    group: str
    page: int = 0


@dataclass(frozen=True)
class UserAdd(CallbackData, prefix="aua"):
    tenant: str


@dataclass(frozen=True)
class UserExt(CallbackData, prefix="aux"):
    """Set the subscriber's PBX extension («Позвонить» rings it)."""

    tenant: str
    chat: int
    group: str
    page: int = 0


@dataclass(frozen=True)
class Bots(CallbackData, prefix="ab"):
    tenant: str


@dataclass(frozen=True)
class BotCard(CallbackData, prefix="abc"):
    tenant: str
    bot: str


@dataclass(frozen=True)
class BotSwitch(CallbackData, prefix="abs"):
    tenant: str
    bot: str
    on: bool


@dataclass(frozen=True)
class BotDelete(CallbackData, prefix="abd"):
    tenant: str
    bot: str
    confirmed: bool


@dataclass(frozen=True)
class BotAdd(CallbackData, prefix="aba"):
    tenant: str


@dataclass(frozen=True)
class BotRate(CallbackData, prefix="abr"):
    """«⚡ Скорость рассылки» of a custom bot."""

    tenant: str
    bot: str


@dataclass(frozen=True)
class BotRateSet(CallbackData, prefix="abp"):
    """A preset rate; a paid one asks first (`confirmed`): it is charged in Telegram Stars."""

    tenant: str
    bot: str
    rate: int
    paid: bool
    confirmed: bool = False


@dataclass(frozen=True)
class ApiKey(CallbackData, prefix="ak"):
    tenant: str


@dataclass(frozen=True)
class ApiKeyRotate(CallbackData, prefix="akr"):
    tenant: str
    confirmed: bool


@dataclass(frozen=True)
class Dead(CallbackData, prefix="ad"):
    tenant: str
    page: int = 0


@dataclass(frozen=True)
class DeadRetry(CallbackData, prefix="adr"):
    tenant: str
    job: str  # a dead letter's id, or ALL
    page: int = 0
    confirmed: bool = False  # the admin confirmed resending one that may have been delivered


@dataclass(frozen=True)
class DeadConfirm(CallbackData, prefix="adc"):
    """Ask before resending a dead letter that may have been delivered (a timeout)."""

    tenant: str
    job: str
    page: int = 0


# --- working hours (bot/handlers/admin/hours.py) ---


@dataclass(frozen=True)
class Hours(CallbackData, prefix="ah"):
    tenant: str


@dataclass(frozen=True)
class HoursMode(CallbackData, prefix="ahm"):
    tenant: str
    mode: str  # notify | quiet | digest


@dataclass(frozen=True)
class HoursEdit(CallbackData, prefix="ahe"):
    tenant: str


@dataclass(frozen=True)
class HoursSilence(CallbackData, prefix="ahs"):
    tenant: str
    seconds: int  # the silent-PBX alert; 0 = off


@dataclass(frozen=True)
class Report(CallbackData, prefix="ar"):
    tenant: str
    days: int = 7


@dataclass(frozen=True)
class ReportSend(CallbackData, prefix="ars"):
    tenant: str
    days: int
    what: str  # chart | csv (bot/handlers/admin/report.py)


@dataclass(frozen=True)
class ReportWeekly(CallbackData, prefix="arw"):
    tenant: str
    on: bool  # the weekly report to the admins (delivery/weekly.py)


HOURS_KINDS = (Hours, HoursMode, HoursEdit, HoursSilence, Report, ReportSend, ReportWeekly)


# «Подключения АТС» (bot/handlers/admin/pbx.py)
@dataclass(frozen=True)
class Pbx(CallbackData, prefix="ap"):
    tenant: str


@dataclass(frozen=True)
class PbxCard(CallbackData, prefix="apc"):
    tenant: str
    conn: str  # a connector id (24 url-safe characters)


@dataclass(frozen=True)
class PbxDelete(CallbackData, prefix="apd"):
    tenant: str
    conn: str
    confirmed: bool


@dataclass(frozen=True)
class PbxAdd(CallbackData, prefix="apa"):
    tenant: str


@dataclass(frozen=True)
class PbxVendor(CallbackData, prefix="apv"):
    tenant: str
    vendor: str


# --- «Перезвон»: the follow-up settings (bot/handlers/admin/followup.py) ---------------------


@dataclass(frozen=True)
class FollowUp(CallbackData, prefix="afu"):
    tenant: str


@dataclass(frozen=True)
class FollowUpSet(CallbackData, prefix="afs"):
    tenant: str
    escalate: bool  # True: the escalation delay (minutes); False: the callback window (hours)
    value: int


@dataclass(frozen=True)
class FollowUpChat(CallbackData, prefix="afc"):
    """Type the chat that also gets one group's escalations."""

    tenant: str
    group: str  # gref


# --- one group's screen: its own hours and its forum (group_card, group_hours, group_forum) ---


@dataclass(frozen=True)
class GroupCard(CallbackData, prefix="agc"):
    tenant: str
    group: str  # gref
    page: int = 0  # the «Группы» page to go back to


@dataclass(frozen=True)
class GroupHours(CallbackData, prefix="agh"):
    tenant: str
    group: str


@dataclass(frozen=True)
class GroupHoursEdit(CallbackData, prefix="age"):
    """Type the group's own hours (a dialogue)."""

    tenant: str
    group: str


@dataclass(frozen=True)
class GroupHoursReset(CallbackData, prefix="agr"):
    """Back to the tenant's hours."""

    tenant: str
    group: str


@dataclass(frozen=True)
class GroupForum(CallbackData, prefix="agt"):
    tenant: str
    group: str


@dataclass(frozen=True)
class GroupForumLink(CallbackData, prefix="agl"):
    """A fresh one-time link that adds the bot to a forum and binds the group there."""

    tenant: str
    group: str


@dataclass(frozen=True)
class GroupForumUnbind(CallbackData, prefix="agu"):
    tenant: str
    group: str


GROUP_KINDS = (
    GroupCard, GroupHours, GroupHoursEdit, GroupHoursReset, GroupForum, GroupForumLink,
    GroupForumUnbind,
)  # fmt: skip


KINDS: dict[str, type[CallbackData]] = {
    kind.prefix: kind
    for kind in (
        Menu, Tenants, TenantPage, Logout, Cancel, Groups, GroupSet, GroupNewOn, GroupNewOff,
        NewGroupsPolicy, Users, UserList,
        UserCard, UserSwitch, UserGroups, UserFollow, UserDelete, UserAdd, UserExt, Bots, BotCard,
        BotSwitch, BotDelete, BotAdd, BotRate, BotRateSet, ApiKey, ApiKeyRotate, Dead, DeadRetry,
        DeadConfirm,
        *HOURS_KINDS,
        Pbx, PbxCard, PbxDelete, PbxAdd, PbxVendor,
        *access.KINDS,  # «Пригласить», «Журнал»
        FollowUp, FollowUpSet, FollowUpChat,
        *GROUP_KINDS,
    )
}  # fmt: skip


def is_admin_data(data: object) -> bool:
    """Whether a callback_data string is one of the admin kinds (a handler pattern)."""
    return isinstance(data, str) and data.split(SEP, 1)[0] in KINDS


def parse(data: object) -> CallbackData:
    """The payload of an admin button; BadCallbackData when it is not one (stale, forged)."""
    if not is_admin_data(data):
        raise BadCallbackData("not an admin button")
    assert isinstance(data, str)
    return KINDS[data.split(SEP, 1)[0]].unpack(data)


# --- keyboard pieces ----------------------------------------------------------------------------


def button(label: str, data: CallbackData) -> InlineKeyboardButton:
    if len(label) > LABEL:
        label = label[: LABEL - 1] + "…"
    return InlineKeyboardButton(label, callback_data=data.pack())


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def pager(
    page: int, pages: int, at: Callable[[int], CallbackData], label: str
) -> list[InlineKeyboardButton]:
    """◀ n/m ▶ when there is more than one page; `at(p)` is the payload that opens page p."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button("◀", at(page - 1)))
    row.append(button(label, at(page)))
    if page < pages - 1:
        row.append(button("▶", at(page + 1)))
    return row


def group_new_markup(
    tenant_id: str,
    group_id: str,
    *,
    lang: str = "ru",
    texts: Catalogue | None = None,
    notify: bool = False,
) -> InlineKeyboardMarkup:
    """The button under «the PBX named a new group»: switch it on, or off when the tenant's
    policy for new groups already switched it on (`notify`)."""
    cat = texts or Catalogue()
    ref = gref(group_id)
    switch = (
        button(cat.t(lang, "admin.group_new.disable"), GroupNewOff(tenant_id, ref))
        if notify
        else button(cat.t(lang, "admin.group_new.enable"), GroupNewOn(tenant_id, ref))
    )
    return markup([[switch], [button(cat.t(lang, "admin.menu.groups"), Groups(tenant_id))]])
