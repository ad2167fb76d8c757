"""Every user-facing text, per language, looked up by key; handlers hold no literal text."""

from __future__ import annotations

from collections.abc import Mapping

from perezvon.texts import (
    access_en,
    access_ru,
    admin_en,
    admin_ru,
    bot_en,
    bot_ru,
    botrate_en,
    botrate_ru,
    chat_en,
    chat_ru,
    core_en,
    core_ru,
    delivery_en,
    delivery_ru,
    followup_en,
    followup_ru,
    groupmenu_en,
    groupmenu_ru,
    groups_en,
    groups_ru,
    hours_en,
    hours_ru,
    pbx_en,
    pbx_ru,
    reports_en,
    reports_ru,
    secrets_en,
    secrets_ru,
)

LANGS = ("ru", "en")
FALLBACK = "ru"

# One (ru, en) pair of modules per area; each area owns its keys. Add new areas here.
AREAS: list[tuple[Mapping[str, str], Mapping[str, str]]] = [
    (core_ru.TEXTS, core_en.TEXTS),
    (bot_ru.TEXTS, bot_en.TEXTS),
    (admin_ru.TEXTS, admin_en.TEXTS),
    (delivery_ru.TEXTS, delivery_en.TEXTS),
    (chat_ru.TEXTS, chat_en.TEXTS),
    (groups_ru.TEXTS, groups_en.TEXTS),
    (secrets_ru.TEXTS, secrets_en.TEXTS),
    (pbx_ru.TEXTS, pbx_en.TEXTS),
    (access_ru.TEXTS, access_en.TEXTS),
    (hours_ru.TEXTS, hours_en.TEXTS),
    (reports_ru.TEXTS, reports_en.TEXTS),
    (followup_ru.TEXTS, followup_en.TEXTS),
    (groupmenu_ru.TEXTS, groupmenu_en.TEXTS),
    (botrate_ru.TEXTS, botrate_en.TEXTS),
]


def _merge(index: int) -> dict[str, str]:
    merged: dict[str, str] = {}
    for area in AREAS:
        for key, text in area[index].items():
            if key in merged:
                raise KeyError(f"text key {key!r} is defined twice")
            merged[key] = text
    return merged


class Catalogue:
    """Texts of all languages; `t(lang, key, **values)` formats one."""

    def __init__(self) -> None:
        self._texts = {lang: _merge(i) for i, lang in enumerate(LANGS)}

    def t(self, lang: str | None, key: str, /, **values: object) -> str:
        texts = self._texts.get(lang or FALLBACK, self._texts[FALLBACK])
        template = texts.get(key) or self._texts[FALLBACK][key]
        return template.format(**values) if values else template

    def keys(self, lang: str) -> set[str]:
        return set(self._texts[lang])


def pick_lang(*candidates: str | None) -> str:
    """The first candidate we speak (e.g. tenant's, then the user's language_code)."""
    for lang in candidates:
        if lang:
            short = lang.split("-")[0].lower()
            if short in LANGS:
                return short
    return FALLBACK
