"""The missed-call message: HTML-escaped, in the tenant's language and time zone, < 4096."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from delivery.callerid import is_hidden
from delivery.phone import format_number, region_of_zone
from delivery.zones import zone_label
from perezvon.texts import Catalogue
from store.events import CallEvent

# Telegram counts the text after entity parsing; this is its limit for one message.
MAX_TEXT = 4096
# No single value may crowd out the rest of the message.
MAX_VALUE = 200
_TAG = re.compile(r"<[^>]*>")


def visible_length(html_text: str) -> int:
    """Characters Telegram counts once it has parsed the HTML entities away."""
    return len(html.unescape(_TAG.sub("", html_text)))


def _clip(value: str, limit: int = MAX_VALUE) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _esc(value: str) -> str:
    return html.escape(_clip(value), quote=False)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def duration(cat: Catalogue, lang: str, seconds: float) -> str:
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return cat.t(lang, "delivery.duration.hours", h=h, m=m)
    if m:
        return cat.t(lang, "delivery.duration.minutes", m=m, s=s)
    return cat.t(lang, "delivery.duration.seconds", s=s)


def waited(event: CallEvent) -> float | None:
    if event.wait_seconds is not None:
        return event.wait_seconds
    if event.started_at and event.ended_at and event.ended_at >= event.started_at:
        return (event.ended_at - event.started_at).total_seconds()
    return None


def fit(lines: list[str], limit: int = MAX_TEXT) -> str:
    """Join lines, dropping trailing ones whole (never cutting a tag) until it fits."""
    kept = list(lines)
    while len(kept) > 1 and visible_length("\n".join(kept)) > limit:
        kept.pop()
    text = "\n".join(kept)
    if visible_length(text) > limit:  # one enormous line: fall back to plain escaped text
        plain = html.unescape(_TAG.sub("", text))[: limit - 1] + "…"
        text = html.escape(plain, quote=False)
    return text


def render_call(
    cat: Catalogue,
    lang: str,
    tz: str,
    event: CallEvent,
    group_name: str,
    recorded_at: float,
    company: str = "",
) -> str:
    """The notification text for one missed call; `company` (the tenant's name) heads it, so
    a chat that follows several companies knows whose call it was."""
    region = region_of_zone(tz)
    zone = _zone(tz)
    lines = [cat.t(lang, "delivery.call.title")]
    if company.strip():
        lines.append(cat.t(lang, "delivery.call.company", company=_esc(company)))
    if is_hidden(event.caller):
        lines.append(cat.t(lang, "delivery.call.caller_hidden"))
    else:
        caller = format_number(event.caller, region)
        lines.append(cat.t(lang, "delivery.call.caller", caller=_esc(caller.shown)))
        if caller.e164:
            lines.append(cat.t(lang, "delivery.call.callback", number=caller.e164))
    if event.caller_name:
        lines.append(cat.t(lang, "delivery.call.caller_name", name=_esc(event.caller_name)))
    if event.called:
        line = format_number(event.called, region).shown
        lines.append(cat.t(lang, "delivery.call.called", line=_esc(line)))
    lines.append(cat.t(lang, "delivery.call.group", group=_esc(group_name)))
    if event.extensions:
        rang = ", ".join(dict.fromkeys(event.extensions))
        lines.append(cat.t(lang, "delivery.call.extensions", extensions=_esc(rang)))
    started = event.started_at or datetime.fromtimestamp(recorded_at, zone)
    stamp = started.astimezone(zone).strftime(cat.t(lang, "delivery.time_format"))
    label = zone_label(cat, lang, zone.key, started)
    lines.append(cat.t(lang, "delivery.call.time", time=stamp, zone=label))
    wait = waited(event)
    if wait is not None:
        lines.append(cat.t(lang, "delivery.call.waited", duration=duration(cat, lang, wait)))
    if event.voicemail:
        lines.append(cat.t(lang, "delivery.call.voicemail"))
    return fit(lines)


def with_hint(cat: Catalogue, lang: str, text: str, username: str) -> str:
    """The message plus the one-time invitation to start the tenant's own bot."""
    link = f"https://t.me/{username}?start=hi"
    hint = cat.t(lang, "delivery.hint", username=html.escape(username), link=link)
    return fit([*text.split("\n"), "", hint]) if text else hint
