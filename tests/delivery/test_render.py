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
        "Звонок в 31.01.2026 09:15:00 (МСК)",
        "Ожидал ответа: 1 ч 2 мин",
        "✉️ Оставлено голосовое сообщение",
    ]


def test_english_in_another_zone_with_wait_from_timestamps():
    ended = datetime(2026, 1, 31, 6, 15, 42, tzinfo=UTC)
    text = _render("en", "America/New_York", started_at=T0, ended_at=ended)
    assert "Rang at 2026-01-31 01:15:00 (UTC-5)" in text and "Waited: 42 s" in text
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


@pytest.mark.parametrize(
    "caller",
    [
        "anonymous", "Anonymous", "ANONYMOUS", "unknown", "<unknown>", "Unavailable",
        "restricted", "Private", "withheld", "s", "", "  ", "-", "+", "0", "0000000000",
        "sip:anonymous@anonymous.invalid", "<sip:Anonymous@anonymous.invalid>",
        "+266696687", "+86282452253", "+8656696687", "+2562533", "Номер скрыт", "скрыт",
    ],
)  # fmt: skip
def test_a_hidden_number_says_so_and_offers_no_call_back(caller):
    event = CallEvent.model_construct(call_id="1", caller=caller, extensions=[])
    text = render_call(CAT, "ru", "Europe/Moscow", event, "Продажи", T0.timestamp())
    assert "Звонил: <b>Номер скрыт</b>" in text.splitlines()
    assert "Перезвонить" not in text


@pytest.mark.parametrize("caller", ["101", "+74951234567", "Ivanov", "s1", "000123"])
def test_real_callers_are_not_taken_for_hidden_ones(caller):
    text = _render(caller=caller)
    assert "Номер скрыт" not in text and "Звонил: <b>" in text


def test_english_hidden_number():
    text = _render("en", caller="anonymous")
    assert "Caller: <b>number hidden</b>" in text and "Call back" not in text


def test_the_extensions_that_rang_are_shown_once_each_escaped():
    text = _render(extensions=["101", "102", "101", "<b>"])
    assert "Звонок шёл на: 101, 102, &lt;b&gt;" in text.splitlines()
    assert "Звонок шёл на" not in _render()
    assert "Rang extensions: 201" in _render("en", extensions=["201"])


@pytest.mark.parametrize(
    ("lang", "tz", "when", "label"),
    [
        ("ru", "Europe/Moscow", T0, "МСК"),
        ("ru", "Asia/Yekaterinburg", T0, "МСК+2"),
        ("ru", "Europe/Kaliningrad", T0, "МСК-1"),
        ("ru", "Asia/Kamchatka", T0, "МСК+9"),
        ("ru", "Asia/Almaty", T0, "UTC+5"),
        ("ru", "UTC", T0, "UTC"),
        ("ru", "Asia/Kolkata", T0, "UTC+5:30"),
        ("ru", "Europe/Berlin", datetime(2026, 7, 1, 10, tzinfo=UTC), "UTC+2"),  # summer time
        ("ru", "Europe/Berlin", T0, "UTC+1"),
        ("en", "Europe/Moscow", T0, "UTC+3"),
        ("en", "America/New_York", T0, "UTC-5"),
    ],
)
def test_times_carry_a_zone_label(lang, tz, when, label):
    text = _render(lang, tz, started_at=when)
    time_line = next(line for line in text.splitlines() if line.startswith(("Звонок в", "Rang")))
    assert time_line.endswith(f" ({label})")
