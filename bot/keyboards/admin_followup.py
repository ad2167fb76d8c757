"""The buttons of «Перезвон», the follow-up settings (bot/handlers/admin/followup.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards.callbacks import CallbackData


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


KINDS = (FollowUp, FollowUpSet, FollowUpChat)
