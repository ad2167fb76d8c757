"""The admin menu's buttons: its main payload kinds, the registry of every kind (the screens
with their own module: admin_hours, admin_pbx, admin_followup, admin_group, access), and
shared keyboard pieces.

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

from bot.keyboards import access, admin_followup, admin_group, admin_hours, admin_pbx
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


KINDS: dict[str, type[CallbackData]] = {
    kind.prefix: kind
    for kind in (
        Menu, Tenants, TenantPage, Logout, Cancel, Groups, GroupSet, GroupNewOn, GroupNewOff,
        NewGroupsPolicy, Users, UserList,
        UserCard, UserSwitch, UserGroups, UserFollow, UserDelete, UserAdd, UserExt, Bots, BotCard,
        BotSwitch, BotDelete, BotAdd, BotRate, BotRateSet, ApiKey, ApiKeyRotate, Dead, DeadRetry,
        DeadConfirm,
        *admin_hours.KINDS,  # «Часы работы», «Отчёт»
        *admin_pbx.KINDS,  # «Подключения АТС»
        *access.KINDS,  # «Пригласить», «Журнал»
        *admin_followup.KINDS,  # «Перезвон»
        *admin_group.KINDS,  # one group's screen
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
