"""Callback data packs and unpacks in one place and never exceeds Telegram's 64 bytes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pytest

from bot.keyboards.callbacks import BadCallbackData, CallbackData, CallbackDataTooLong


class Switch(enum.StrEnum):
    ON = "on"
    OFF = "off"


@dataclass(frozen=True)
class Toggle(CallbackData, prefix="t1"):
    tenant: str
    group: str
    page: int = 0
    on: bool = False
    to: Switch = Switch.ON


@dataclass(frozen=True)
class Back(CallbackData, prefix="bk"):
    pass


def test_round_trip_keeps_types():
    data = Toggle("12", "sales", 3, True, Switch.OFF)
    packed = data.pack()
    assert packed == "t1:12:sales:3:1:off"
    assert Toggle.unpack(packed) == data
    assert Back.unpack(Back().pack()) == Back()


def test_sixty_four_bytes_counted_in_utf8():
    assert len(Toggle("1", "x" * 52).pack()) == 64  # "t1:1:" + 52 + ":0:0:on"
    with pytest.raises(CallbackDataTooLong):
        Toggle("1", "я" * 27).pack()  # 39 characters, but 66 bytes
    with pytest.raises(CallbackDataTooLong):
        Toggle("1", "x" * 60).pack()


def test_separator_in_a_value_is_refused():
    with pytest.raises(ValueError, match="must not contain"):
        Toggle("1", "a:b").pack()


@pytest.mark.parametrize(
    "data",
    ["bk", "t1:1:g:x:0:on", "t1:1:g:1:2:on", "t1:1:g:1:1:maybe", "t1:1:g", "zz:1", "", None, 5],
)
def test_foreign_or_stale_payloads_raise_bad_callback_data(data):
    with pytest.raises(BadCallbackData):
        Toggle.unpack(data)


def test_matches_only_its_own_prefix():
    assert Toggle.matches("t1:1:g:0:0:on")
    assert not Toggle.matches("t10:1")
    assert not Back.matches("t1:1")
    assert Back.matches("bk")


def test_prefixes_are_unique_and_short():
    with pytest.raises(TypeError, match="already used"):

        @dataclass(frozen=True)
        class Other(CallbackData, prefix="t1"):
            x: int

    with pytest.raises(TypeError, match="1-8 bytes"):

        @dataclass(frozen=True)
        class Bad(CallbackData, prefix="a:b"):
            x: int
