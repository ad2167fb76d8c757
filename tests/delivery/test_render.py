"""The missed-call text: numbers for people, local time, escaping, and the 4096 limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from delivery.phone import format_number, region_of_zone
from delivery.render import MAX_TEXT, fit, render_call, visible_length, with_hint
from perezvon.texts import Catalogue
from store.events import CallEvent

CAT = Catalogue()
T0 = datetime(2026, 1, 31, 6, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "region", "shown", "e164"),
    [
        ("+74951234567", "RU", "+7 495 123-45-67", "+74951234567"),
        ("84951234567", "RU", "+7 495 123-45-67", "+74951234567"),
        ("2025550123", "US", "+1 202-555-0123", "+12025550123"),
        ("101", "RU", "101", None),
        ("anonymous", "RU", "anonymous", None),
    ],
)
def test_numbers(raw, region, shown, e164):
    number = format_number(raw, region)
    assert (number.shown, number.e164) == (shown, e164)


@pytest.mark.parametrize(
    ("tz", "region"), [("Europe/Moscow", "RU"), ("America/New_York", "US"), ("UTC", "RU")]
)
def test_region_from_time_zone(tz, region):
    assert region_of_zone(tz) == region


def _render(lang="ru", tz="Europe/Moscow", group="Продажи", **fields) -> str:
    event = CallEvent(call_id="1", caller=fields.pop("caller", "84951234567"), **fields)
    return render_call(CAT, lang, tz, event, group, T0.timestamp())


def test_the_company_heads_the_message_escaped():
    event = CallEvent(call_id="1", caller="84951234567")
    text = render_call(CAT, "en", "UTC", event, "Sales", T0.timestamp(), company="A&B <Ltd>")
    assert text.splitlines()[:2] == ["📞 <b>Missed call</b>", "Company: <b>A&amp;B &lt;Ltd&gt;</b>"]


def test_russian_message_has_every_part():
    text = _render(
        started_at=T0, wait_seconds=3725, caller_name="Анна", called="+74950000000",
        voicemail=True,
    )  # fmt: skip
    assert text.splitlines() == [
        "📞 <b>Пропущенный вызов</b>",
        "Звонил: <b>+7 495 123-45-67</b>",
        "Перезвонить: +74951234567",
        "Имя: Анна",
        "Линия: +7 495 000-00-00",
        "Группа: Продажи",
        "Звонок в 31.01.2026 09:15:00",
        "Ожидал ответа: 1 ч 2 мин",
        "✉️ Оставлено голосовое сообщение",
    ]


def test_english_in_another_zone_with_wait_from_timestamps():
    ended = datetime(2026, 1, 31, 6, 15, 42, tzinfo=UTC)
    text = _render("en", "America/New_York", started_at=T0, ended_at=ended)
    assert "Rang at 2026-01-31 01:15:00" in text and "Waited: 42 s" in text
    assert "voicemail" not in text.lower()


def test_values_are_escaped_and_raw_numbers_kept():
    text = _render(caller="<script>", caller_name="A & <b>B</b>", group="<i>x</i>")
    assert "&lt;script&gt;" in text and "Перезвонить" not in text
    assert "A &amp; &lt;b&gt;B&lt;/b&gt;" in text and "&lt;i&gt;x&lt;/i&gt;" in text


def test_long_values_stay_under_the_limit():
    text = _render(caller_name="Я" * 256, group="&" * 256)
    assert visible_length(text) < MAX_TEXT
    assert visible_length(fit(["<b>x</b>"] + ["&amp;" * 1000] * 10)) <= MAX_TEXT
    assert visible_length(fit(["&amp;" * 5000])) <= MAX_TEXT


def test_hint_links_the_custom_bot():
    text = with_hint(CAT, "ru", _render(), "acme_bot")
    assert text.endswith("откройте https://t.me/acme_bot?start=hi и нажмите «Старт».")
