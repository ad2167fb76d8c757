"""Buttons of access without the key: «Пригласить» (invites, the key-activation switch) and
«Журнал» (the audit log). Registered in bot/keyboards/admin.py's KINDS like every admin kind."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards.callbacks import CallbackData


@dataclass(frozen=True)
class Invites(CallbackData, prefix="ai"):
    tenant: str
    page: int = 0


@dataclass(frozen=True)
class InviteNew(CallbackData, prefix="ain"):
    """One step of «new invite»: the group (a gref, ALL, or "" = not chosen yet), then the
    uses and the hours (0 = not chosen yet); the last choice creates it."""

    tenant: str
    group: str = ""
    uses: int = 0
    hours: int = 0
    page: int = 0


@dataclass(frozen=True)
class InviteRevoke(CallbackData, prefix="air"):
    tenant: str
    invite: str  # the invite's id (first 8 hex characters of its code's hash)
    confirmed: bool = False


@dataclass(frozen=True)
class KeyActivation(CallbackData, prefix="aka"):
    """Whether /activate <API key> subscribes; the button carries the state wanted."""

    tenant: str
    on: bool


@dataclass(frozen=True)
class Journal(CallbackData, prefix="aj"):
    tenant: str
    page: int = 0


KINDS = (Invites, InviteNew, InviteRevoke, KeyActivation, Journal)
