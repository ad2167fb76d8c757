"""Buttons of the subscriber commands (packed through bot/keyboards/callbacks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards.callbacks import CallbackData


@dataclass(frozen=True)
class PauseSub(CallbackData, prefix="ps"):
    """Pause this chat's notifications from one tenant, without its API key."""

    tenant: str


@dataclass(frozen=True)
class ResumeSub(CallbackData, prefix="rs"):
    """Resume this chat's paused notifications from one tenant, without its API key."""

    tenant: str


def choice_markup(
    kind: type[PauseSub] | type[ResumeSub], choices: list[tuple[str, str]]
) -> InlineKeyboardMarkup:
    """One button per (tenant id, label)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=kind(tid).pack())] for tid, label in choices]
    )


def pause_markup(choices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return choice_markup(PauseSub, choices)


def resume_markup(choices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return choice_markup(ResumeSub, choices)
