"""The admin menu's working-hours and report buttons (bot/handlers/admin/hours.py, report.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards.callbacks import CallbackData


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


KINDS = (Hours, HoursMode, HoursEdit, HoursSilence, Report, ReportSend, ReportWeekly)
