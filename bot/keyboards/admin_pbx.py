"""The buttons of «Подключения АТС», the tenant's PBX connectors (bot/handlers/admin/pbx.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards.callbacks import CallbackData


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


KINDS = (Pbx, PbxCard, PbxDelete, PbxAdd, PbxVendor)
