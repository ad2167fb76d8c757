"""Contract: subscriptions and their status transitions with dates."""

import pytest

from store import Store
from store.errors import DisabledByAdmin, InvalidInput, NotFound
from store.models import SubStatus


@pytest.fixture
async def tid(store: Store) -> str:
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    return tenant.id


async def test_activate_creates_active_subscription(store: Store, tid, clock):
    sub, previous = await store.subs.activate(tid, 100, "Ann Lee", "ann")
    assert previous is None
    assert (sub.status, sub.name, sub.username) == (SubStatus.ACTIVE, "Ann Lee", "ann")
    assert sub.status_changed_at == clock.now and sub.groups is None
    assert sub.follows("anything")
    assert await store.subs.tenants_of_chat(100) == [tid]


async def test_status_date_changes_only_with_the_status(store: Store, tid, clock):
    await store.subs.activate(tid, 100, "Ann")
    clock.advance(60)
    again, previous = await store.subs.activate(tid, 100, "Ann")
    assert previous is SubStatus.ACTIVE and again.status_changed_at == clock.now - 60
    clock.advance(60)
    muted, previous = await store.subs.mute(tid, 100)
    assert previous is SubStatus.ACTIVE
    assert muted.status is SubStatus.MUTED and muted.status_changed_at == clock.now
    clock.advance(60)
    resumed, _ = await store.subs.resume(tid, 100)
    assert resumed.status is SubStatus.ACTIVE and resumed.status_changed_at == clock.now


async def test_admin_disabled_cannot_be_reenabled_by_the_user(store: Store, tid, clock):
    await store.subs.activate(tid, 100, "Ann")
    clock.advance(5)
    off, _ = await store.subs.admin_set(tid, 100, False)
    assert off.status is SubStatus.DISABLED and off.status_changed_at == clock.now
    for user_action in (
        lambda: store.subs.activate(tid, 100, "Ann"),
        lambda: store.subs.resume(tid, 100),
        lambda: store.subs.mute(tid, 100),
    ):
        with pytest.raises(DisabledByAdmin):
            await user_action()
    assert (await store.subs.get(tid, 100)).status is SubStatus.DISABLED
    on, previous = await store.subs.admin_set(tid, 100, True)
    assert on.status is SubStatus.ACTIVE and previous is SubStatus.DISABLED


async def test_user_commands_need_a_subscription(store: Store, tid):
    with pytest.raises(NotFound):
        await store.subs.mute(tid, 5)
    with pytest.raises(NotFound):
        await store.subs.resume(tid, 5)
    with pytest.raises(NotFound):
        await store.subs.admin_set(tid, 5, True)


async def test_admin_add_is_active_without_activate(store: Store, tid):
    sub, previous = await store.subs.admin_add(tid, -100200, "  Sales   chat ")
    assert previous is None and sub.status is SubStatus.ACTIVE and sub.name == "Sales chat"
    with pytest.raises(InvalidInput):
        await store.subs.admin_add(tid, 5, "   ")


async def test_unreachable_then_user_returns(store: Store, tid):
    await store.subs.activate(tid, 100, "Ann")
    sub = await store.subs.mark_unreachable(tid, 100)
    assert sub.status is SubStatus.UNREACHABLE
    back, previous = await store.subs.activate(tid, 100, "Ann")
    assert back.status is SubStatus.ACTIVE and previous is SubStatus.UNREACHABLE
    assert await store.subs.mark_unreachable(tid, 999) is None


async def test_unreachable_does_not_override_admin_or_user_choice(store: Store, tid):
    await store.subs.activate(tid, 1, "A")
    await store.subs.mute(tid, 1)
    await store.subs.activate(tid, 2, "B")
    await store.subs.admin_set(tid, 2, False)
    assert (await store.subs.mark_unreachable(tid, 1)).status is SubStatus.MUTED
    assert (await store.subs.mark_unreachable(tid, 2)).status is SubStatus.DISABLED


async def test_followed_groups(store: Store, tid):
    await store.subs.activate(tid, 100, "Ann")
    sub = await store.subs.set_groups(tid, 100, frozenset({"sales"}))
    assert sub.follows("sales") and not sub.follows("support")
    sub = await store.subs.set_groups(tid, 100, None)
    assert sub.follows("support")


async def test_remove_and_move_chat(store: Store, tid):
    await store.subs.activate(tid, -1, "Group")
    moved = await store.subs.move_chat(tid, -1, -1001)
    assert moved.chat_id == -1001 and moved.name == "Group"
    assert await store.subs.find(tid, -1) is None
    assert await store.subs.tenants_of_chat(-1001) == [tid]
    assert await store.subs.tenants_of_chat(-1) == []
    assert await store.subs.remove(tid, -1001)
    assert not await store.subs.remove(tid, -1001)
    assert await store.subs.count(tid) == 0


async def test_list_pages(store: Store, tid, clock):
    for chat in range(25):
        clock.advance(1)
        await store.subs.activate(tid, chat, f"U{chat}")
    pages = [await store.subs.list(tid, off, 10) for off in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [s.chat_id for p in pages for s in p] == list(range(25))


async def test_chat_may_follow_several_tenants(store: Store, tid):
    other, _ = await store.tenants.create("B", "UTC", "en")
    await store.subs.activate(tid, 100, "Ann")
    await store.subs.activate(other.id, 100, "Ann")
    await store.subs.mute(other.id, 100)
    assert await store.subs.tenants_of_chat(100) == sorted([tid, other.id], key=int)
    assert (await store.subs.get(tid, 100)).status is SubStatus.ACTIVE


async def test_followers_are_the_active_chats_that_follow_the_group(store: Store, tid):
    for chat in (1, 2, 3, 4, 5, 6, 7):
        await store.subs.activate(tid, chat, f"U{chat}")
    await store.subs.mute(tid, 2)
    await store.subs.admin_set(tid, 3, False)
    await store.subs.mark_unreachable(tid, 4)
    await store.subs.set_groups(tid, 5, frozenset({"sales"}))
    await store.subs.set_groups(tid, 6, frozenset({"support", 'we"ird'}))
    await store.subs.remove(tid, 7)
    assert sorted(await store.subs.followers(tid, "support")) == [1, 6]
    assert sorted(await store.subs.followers(tid, "sales")) == [1, 5]
    assert sorted(await store.subs.followers(tid, 'we"ird')) == [1, 6]
    assert await store.subs.followers(tid, "ird") == [1]


async def test_followers_read_page_by_page_finds_each_chat_once(store: Store, tid):
    chats = list(range(100, 137))
    for chat in chats:
        await store.subs.activate(tid, chat, "U")
    await store.subs.mute(tid, 110)
    got = await store.subs.followers(tid, "default", page=5)
    assert sorted(got) == [c for c in chats if c != 110]
    assert len(got) == len(set(got))


async def test_followers_follow_a_moved_chat_and_none_when_nobody(store: Store, tid):
    assert await store.subs.followers(tid, "default") == []
    await store.subs.activate(tid, 100, "Group")
    await store.subs.move_chat(tid, 100, -100200)
    assert await store.subs.followers(tid, "default") == [-100200]


async def test_followers_match_the_full_records_filter(store: Store, tid):
    for chat in range(1, 30):
        await store.subs.activate(tid, chat, "U")
        if chat % 3 == 0:
            await store.subs.mute(tid, chat)
        if chat % 4 == 0:
            await store.subs.set_groups(tid, chat, frozenset({"g"}))
    every = await store.subs.list(tid, 0, 100)
    for gid in ("g", "default"):
        expected = [s.chat_id for s in every if s.status is SubStatus.ACTIVE and s.follows(gid)]
        assert await store.subs.followers(tid, gid, page=7) == expected
