"""«Отчёт» in the admin menu: the week's and the month's missed calls, what became of them, per
group and per employee, and the callers nobody called back."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from store.cards import Resolution
from tests.bot_admin.conftest import eventually as world_eventually


async def test_the_report_counts_outcomes_groups_and_employees(signed_in, store, acme, clock):
    me, tenant = signed_in, acme[0]
    await store.groups.ensure(tenant.id, "sales", "Отдел продаж & <сервис>", notify=True)
    fu, tid, now = store.followups, tenant.id, clock.now
    olga = (await fu.open_call(tid, "c1", "+74951111111", "default", now - 600)).card
    await fu.open_call(tid, "c2", "+74951111111", "default", now - 500)  # a repeat: same card
    await fu.claim(tid, olga.id, 7, "Ольга")
    await fu.resolve(tid, olga.id, Resolution.CALLED_BACK, extension="101", at=now - 300)
    done = (await fu.open_call(tid, "c3", "+74952222222", "sales", now - 400)).card
    await fu.resolve(tid, done.id, Resolution.MANUAL, user=8, name="Иван", at=now - 280)
    await fu.open_call(tid, "c4", "+74953333333", "sales", now - 100)  # nobody called back
    await me.press("Отчёт")
    screen = await me.screen()
    assert "Отчёт за 7 дн." in screen
    assert "Пропущенных звонков: 4" in screen and "Звонивших: 3" in screen
    assert "Повторных звонков: 1" in screen
    assert "Перезвонили: 1" in screen and "Отмечено вручную: 1" in screen
    assert "Ещё открыто: 1" in screen and "Доля перезвонов: 67%" in screen
    assert "медиана 4 мин, 90% за 5 мин" in screen
    assert "• Основная группа: 2 (звонивших: 1), перезвонили 1, открыто 0" in screen
    # A menu is plain text (sent without parse_mode): names as they are, no tags.
    assert "• Отдел продаж & <сервис>: 2 (звонивших: 2), перезвонили 1, открыто 1" in screen
    assert "<b>" not in screen and "&amp;" not in screen
    assert "• Ольга: взял(а) 1, перезвонил(а) 1, медиана 5 мин" in screen
    assert "• Иван: взял(а) 0, перезвонил(а) 1, медиана 2 мин" in screen
    assert "Никто не перезвонил (1):\n• +74953333333 ×1" in screen
    assert "✓ 7 дней" in await me.labels()
    await me.press("30 дней")
    assert "Отчёт за 30 дн." in await me.screen()
    assert "✓ 30 дней" in await me.labels()


async def test_an_empty_period(signed_in):
    await signed_in.press("Отчёт")
    screen = await signed_in.screen()
    assert "Пропущенных звонков: 0" in screen and "Доля перезвонов: —" in screen
    assert "Никто не перезвонил" not in screen


async def _cards_for_files(store, tid, now):
    fu = store.followups
    done = (await fu.open_call(tid, "f1", "+74951111111", "default", now - 3 * 86_400)).card
    await fu.claim(tid, done.id, 7, "Ольга")
    await fu.resolve(tid, done.id, Resolution.CALLED_BACK, extension="101",
                     at=now - 3 * 86_400 + 240)  # fmt: skip
    await fu.open_call(tid, "f2", "+74952222222", "default", now - 3600)
    await fu.open_call(tid, "f3", "+74952222222", "default", now - 1800)  # a repeat
    return done


async def test_the_chart_arrives_as_a_photo_through_the_queue(signed_in, store, acme, clock,
                                                              engine, world):  # fmt: skip
    me, tid = signed_in, acme[0].id
    await _cards_for_files(store, tid, clock.now)
    await me.press("Отчёт")
    assert {"📈 График", "📄 CSV"} <= set(await me.labels())
    assert await me.press("График") == "Готовлю — пришлю через несколько секунд."

    async def photo():
        return next((m for m in await me.messages() if "photo" in m), None)

    message = await world_eventually(photo)
    biggest = message["photo"][-1]
    assert (biggest["width"], biggest["height"]) == (1200, 600)
    picture = await world.tg.file_bytes(biggest["file_id"])
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    assert message["caption"].startswith("Отчёт за 7 дн.")
    assert "Пропущенных звонков: 3" in message["caption"]
    stats = await world.tg.stats(world.default.id)
    assert stats["by_method"]["sendphoto"] == 1  # one upload, by the delivery engine


async def test_the_csv_has_one_row_per_card(signed_in, store, acme, clock, engine, world):
    me, tid = signed_in, acme[0].id
    done = await _cards_for_files(store, tid, clock.now)
    await me.press("Отчёт")
    await me.press("30 дней")
    assert await me.press("CSV") == "Готовлю — пришлю через несколько секунд."

    async def document():
        return next((m for m in await me.messages() if "document" in m), None)

    message = await world_eventually(document)
    assert message["document"]["file_name"].endswith(".csv")
    assert message["caption"].startswith("Звонки за 30 дн.") and "строк: 2" in message["caption"]
    body = (await world.tg.file_bytes(message["document"]["file_id"])).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["caller"] for r in rows] == ["+74951111111", "+74952222222"]
    first, second = rows
    assert first["card"] == done.id and first["resolution"] == "called_back"
    assert (first["claimed_by"], first["resolved_by"]) == ("Ольга", "Ольга")
    assert first["time_to_callback_s"] == "240" and first["first_seen"].endswith("+03:00")
    assert (second["state"], second["repeat_count"], second["resolution"]) == ("open", "2", "")


async def test_the_weekly_report_is_switched_on_and_off_in_the_menu(signed_in, store, acme):
    me, tid = signed_in, acme[0].id
    await me.press("Отчёт")
    assert "Еженедельный отчёт администраторам: выключен." in await me.screen()
    assert await me.press("Еженедельно: включить") == "Сохранено."
    # The clock stands on Friday 15 January 2027: the first report is Monday's, 09:00 Moscow.
    assert "включён, следующий — 18.01.2027 09:00" in await me.screen()
    assert (
        await store.weekly.due_at(tid)
        == datetime.fromisoformat("2027-01-18T09:00+03:00").timestamp()
    )
    assert await me.press("Еженедельно: выключить") == "Сохранено."
    assert "выключен" in await me.screen() and await store.weekly.due_at(tid) is None
    # Both presses are in the journal: who switched the weekly report, and to what.
    actions = [e.action for e in await store.audit.recent(tid)]
    assert actions[:2] == ["report.weekly", "report.weekly"]
