"""store/caller_names.py on every backend: a recorded call's caller name, found again by number."""

from __future__ import annotations

import pytest

from store import Store, keys
from store.caller_names import clean_name, from_payload, lookup_keys
from store.events import CallEvent


async def _tenant(store: Store, name: str = "Acme") -> str:
    t, _ = await store.tenants.create(name, "Europe/Moscow", "ru")
    return t.id


def _payload(caller: str, name: str | None, call_id: str = "c1") -> str:
    event = CallEvent(call_id=call_id, caller=caller, caller_name=name)
    return event.model_dump_json(exclude_defaults=True)


@pytest.mark.parametrize(
    ("recorded_as", "asked_as", "found"),
    [
        ("+74951234567", "74951234567", "Иван Петров"),  # Asterisk E.164, MegaFon digits
        ("84951234567", "74951234567", "Иван Петров"),  # national with the trunk prefix
        ("4951234567", "+7 (495) 123-45-67", "Иван Петров"),  # national, no prefix
        ("sip:+74951234567@pbx", "74951234567", "Иван Петров"),  # digits are the key
        ("+74951234567", "74957654321", None),  # another number
    ],
)
async def test_a_recorded_name_is_found_by_the_same_number_in_any_form(
    store: Store, recorded_as: str, asked_as: str, found: str | None
):
    tid = await _tenant(store)
    await store.calls.record_many(tid, {"c1": ("default", _payload(recorded_as, "Иван Петров"))})
    assert await store.caller_names.get(tid, asked_as, "RU") == found


async def test_the_last_name_given_wins_and_a_call_without_one_keeps_it(store: Store):
    tid = await _tenant(store)
    await store.calls.record(tid, "c1", "default", _payload("+74951234567", "Ivan", "c1"))
    await store.calls.record(tid, "c2", "default", _payload("+74951234567", "Ivan Petrov", "c2"))
    await store.calls.record(tid, "c3", "default", _payload("+74951234567", None, "c3"))
    assert await store.caller_names.get(tid, "+74951234567", "RU") == "Ivan Petrov"
    assert {c.call_id for c in await store.calls.recent(tid)} == {"c1", "c2", "c3"}


async def test_names_are_per_tenant_in_the_tenants_slot(store: Store):
    acme, other = await _tenant(store), await _tenant(store, "Other")
    await store.calls.record(acme, "c1", "default", _payload("+74951234567", "Ivan"))
    assert await store.caller_names.get(other, "+74951234567", "RU") is None
    assert await store.redis.hget(keys.caller_names(acme), "74951234567") == "Ivan"
    assert "{t" + acme + "}" in keys.caller_names(acme)


async def test_a_batch_records_every_call_and_every_name(store: Store):
    tid = await _tenant(store)
    calls = {
        "a": ("default", _payload("+74951111111", "Anna", "a")),
        "b": ("sales", _payload("+74952222222", None, "b")),
        "c": ("default", _payload("+74953333333", "Boris", "c")),
    }
    assert await store.calls.record_many(tid, calls, also_check=["z"]) == set()
    assert await store.calls.record_many(tid, calls) == {"a", "b", "c"}
    assert await store.caller_names.get(tid, "74951111111", "RU") == "Anna"
    assert await store.caller_names.get(tid, "74952222222", "RU") is None
    assert await store.caller_names.get(tid, "74953333333", "RU") == "Boris"
    assert (await store.calls.get(tid, "b")).group_id == "sales"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Иван  Петров ", "Иван Петров"),
        ("<unknown>", None),
        ("Anonymous", None),
        ("Номер скрыт", None),
        ("+7 (495) 123-45-67", None),  # the number again, not a name
        ("74951234567", None),
        ("", None),
        (None, None),
        ("ООО Ромашка 2", "ООО Ромашка 2"),
    ],
)
def test_only_real_names_are_kept(name, kept):
    assert clean_name(name) == kept


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        (_payload("+74951234567", "Ivan"), ("74951234567", "Ivan")),
        (_payload("+74951234567", None), None),
        (_payload("anonymous", "Ivan"), None),  # a hidden caller names nobody
        (_payload("101", "Ivan"), None),  # an extension
        ('{"caller_name": "x", "caller": 5}', None),
        ('{"caller_name": ', None),
    ],
)
def test_a_payload_gives_its_caller_key_and_name(payload, found):
    assert from_payload(payload) == found


def test_lookup_tries_the_number_as_sent_first_then_its_other_forms():
    assert lookup_keys("74951234567", "RU") == ["74951234567", "4951234567", "84951234567"]
    assert lookup_keys("anonymous", "RU") == []
