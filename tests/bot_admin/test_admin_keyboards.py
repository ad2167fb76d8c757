"""Admin payloads: every kind round-trips and fits Telegram's 64 bytes at realistic extremes."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from bot.keyboards import admin as kb
from bot.keyboards.callbacks import BadCallbackData

# The largest values a payload field carries: a tenant id far beyond any real count, a
# supergroup chat id, a group ref, a dead-letter id, a deep page.
EXTREME = {
    "tenant": "99999999",
    "chat": -1009999999999,
    "group": kb.gref("g" * 64),
    "target": kb.gref("h" * 64),
    "bot": "999999",
    "job": "9" * 12,
    "page": 9999,
    "gpage": 9999,
    "conn": "x" * 24,  # a connector id: secrets.token_urlsafe(18)
    "vendor": "v" * 12,  # the longest vendor name is 8
    # «Пригласить»: presets of uses and hours, an invite id.
    "uses": 100_000,
    "hours": 8760,
    "invite": "f" * 8,
    "mode": "digest",  # the longest off-hours mode
    "days": 9999,
    "seconds": 7 * 86_400,
    "value": 99999,  # a follow-up setting: minutes or hours
    "what": "chart",  # the longest file the report screen sends
    "rate": 1000,  # the fastest pace preset (paid broadcasts)
}


def _extreme(kind: type) -> object:
    hints = typing.get_type_hints(kind)
    values = {}
    for f in dataclasses.fields(kind):
        values[f.name] = True if hints[f.name] is bool else EXTREME[f.name]
    return kind(**values)


@pytest.mark.parametrize("kind", list(kb.KINDS.values()), ids=lambda k: k.__name__)
def test_every_kind_fits_and_round_trips(kind):
    payload = _extreme(kind)
    packed = payload.pack()
    assert len(packed.encode()) <= 64
    assert kb.parse(packed) == payload
    assert payload.tenant == "99999999"  # every kind names its tenant, for the router


def test_group_refs_are_short_stable_and_separator_free():
    refs = {kb.gref(f"group-{i}") for i in range(5000)}
    assert len(refs) == 5000
    assert all(len(r) == 8 and ":" not in r for r in refs)
    assert kb.gref("sales") == kb.gref("sales")


@pytest.mark.parametrize("data", ["", "am", "xx:1", "ags:1:ref:2:0", "auc:1:x:*:0", None, 5])
def test_foreign_or_broken_payloads_are_refused(data):
    with pytest.raises(BadCallbackData):
        kb.parse(data)


def test_group_new_markup_switches_the_group_on():
    markup = kb.group_new_markup("7", "queue-1")
    first = markup.inline_keyboard[0][0]
    assert first.text == "✅ Включить оповещения"
    assert kb.parse(first.callback_data) == kb.GroupNewOn("7", kb.gref("queue-1"))
    english = kb.group_new_markup("7", "queue-1", lang="en")
    assert english.inline_keyboard[0][0].text == "✅ Turn notifications on"
