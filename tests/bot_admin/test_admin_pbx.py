"""«Подключения АТС»: add (vendor, secrets pasted and deleted at once), the URL and setup note,
the last event and rejection on the card, removal after a confirmation."""

from __future__ import annotations

import logging


async def _texts(me) -> list[str]:
    return [m.get("text", "") for m in await me.messages()]


async def test_add_a_mango_connector_by_pasting_its_secrets(signed_in, store, acme, caplog):
    # At DEBUG, PTB itself logs every update's text before any handler runs; a vendor secret
    # has no recognisable shape to mask (docs/connectors.md says so). INFO and up: never.
    caplog.set_level(logging.INFO)
    me, tenant = signed_in, acme[0]
    await me.press("Подключения АТС")
    assert "Подключений пока нет" in await me.screen()
    await me.press("Добавить подключение")
    assert await me.screen() == "Какая у вас АТС?"
    await me.press("Mango Office")
    assert "vpbx_api_key" in await me.screen()
    assert "api_salt" in await me.say("mk-secret-123")
    await me.say("ms-salt-456", answers=2)
    texts = await _texts(me)
    assert not [t for t in texts if "mk-secret-123" in t or "ms-salt-456" in t]
    (c,) = await store.connectors.list(tenant.id)
    assert c.vendor == "mango" and c.options == {
        "api_key": "mk-secret-123",
        "api_salt": "ms-salt-456",
    }
    added = next(t for t in texts if "Подключение Mango Office создано" in t)
    assert f"http://127.0.0.1:8080/v1/hooks/mango/{c.id}" in added and "API коннектор" in added
    assert "Последнее событие: ещё не было" in await me.screen()
    assert "mk-secret-123" not in caplog.text and "ms-salt-456" not in caplog.text
    (entry,) = [e for e in await store.audit.recent(tenant.id) if e.action == "connector.add"]
    assert entry.detail == f"mango {c.id[:6]}" and entry.user_id == me.uid


async def test_the_card_shows_the_last_event_and_rejection_then_removes(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    c = await store.connectors.add(tenant.id, "zadarma", {"secret": "s"}, secret_names=("secret",))
    await store.connectors.note_event(c, "missed accepted")
    await store.connectors.note_rejected(c, "bad Signature")
    await me.press("Подключения АТС")
    await me.press("Zadarma")
    screen = await me.screen()
    assert "missed accepted" in screen and "bad Signature" in screen and c.id in screen
    await me.press("Удалить подключение")
    assert "Удалить подключение Zadarma?" in await me.screen()
    assert await me.press("Да, удалить") == "Подключение удалено."
    assert await store.connectors.list(tenant.id) == []
    assert "Подключений пока нет" in await me.screen()
    actions = [(e.action, e.detail) for e in await store.audit.recent(tenant.id)]
    assert ("connector.remove", c.id[:6]) in actions


async def test_a_vendor_without_secrets_is_created_at_once(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await me.press("Подключения АТС")
    await me.press("Добавить подключение")
    await me.press("Sipuni")
    (c,) = await store.connectors.list(tenant.id)
    assert c.vendor == "sipuni"
    assert c.id in await me.screen()


async def test_add_a_rostelecom_connector_by_pasting_its_client_id_and_key(signed_in, store, acme):
    me, tenant = signed_in, acme[0]
    await me.press("Подключения АТС")
    await me.press("Добавить подключение")
    await me.press("Rostelecom VATS")
    assert "X-Client-ID" in await me.screen()
    assert "client_key" in await me.say("rt-client-7781")
    await me.say("rt-key-90ab", answers=2)
    texts = await _texts(me)
    assert not [t for t in texts if "rt-client-7781" in t or "rt-key-90ab" in t]
    (c,) = await store.connectors.list(tenant.id)
    assert c.vendor == "rostelecom"
    assert c.options == {"client_id": "rt-client-7781", "client_key": "rt-key-90ab"}
    added = next(t for t in texts if "Подключение Rostelecom VATS создано" in t)
    assert f"/v1/hooks/rostelecom/{c.id}" in added and "ВАТС Ростелеком" in added
