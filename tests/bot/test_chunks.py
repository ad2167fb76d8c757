"""Long answers are split at line boundaries into parts Telegram accepts, in order."""

from __future__ import annotations

import pytest

from bot.handlers.common import chunks


@pytest.mark.parametrize(
    "body,limit,expected",
    [
        ("short", 10, ["short"]),
        ("a\nb\nc", 3, ["a\nb", "c"]),
        ("aaaa\nbb", 4, ["aaaa", "bb"]),
        ("x\n" + "y" * 7, 3, ["x", "yyy", "yyy", "y"]),  # text before a long line comes first
        ("one\n\ntwo", 20, ["one\n\ntwo"]),
        ("one\n\n\ntwo", 4, ["one\n", "\ntwo"]),  # "\n".join gives the body back
    ],
)
def test_split(body, limit, expected):
    parts = chunks(body, limit)
    assert parts == expected
    assert all(len(p) <= limit for p in parts)


def test_nothing_is_lost():
    body = "\n".join(f"line {i} " + "z" * (i % 50) for i in range(500))
    parts = chunks(body, 4096)
    assert "\n".join(parts) == body and all(len(p) <= 4096 for p in parts)
