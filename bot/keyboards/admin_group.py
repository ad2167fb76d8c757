"""One group's screen: its own hours and its forum (group_card, group_hours, group_forum)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards.callbacks import CallbackData


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


KINDS = (
    GroupCard, GroupHours, GroupHoursEdit, GroupHoursReset, GroupForum, GroupForumLink,
    GroupForumUnbind,
)  # fmt: skip
