"""Contract: working hours, personal quiet hours and held calls (every store backend)."""

import pytest

from store import Store, keys
from store.errors import InvalidInput, NotFound
from store.hours import OffHours


async def test_tenant_hours_default_to_always_open(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Berlin", "en")
    setting = await store.schedules.tenant(tenant.id)
    assert setting.hours == "" and setting.schedule() is None
    assert setting.off_hours is OffHours.NOTIFY and setting.silence_alert == 0


async def test_set_tenant_hours_stores_the_canonical_form(store: Store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Berlin", "en")
    setting = await store.schedules.set_tenant(
        tenant.id,
        hours="mon-fri 9:00-18:00; sat 10:00-14:00",
        holidays=["2027-01-01", "2026-12-25", "2027-01-01"],
        off_hours="digest",
        silence_alert=7200,
    )
    assert setting.hours == "Mon-Fri 09:00-18:00; Sat 10:00-14:00"
    assert setting.holidays == ("2026-12-25", "2027-01-01")
    assert setting.off_hours is OffHours.DIGEST and setting.silence_alert == 7200
    assert setting.schedule() is not None
    # Other settings of the record are untouched; a later partial change keeps the rest.
    assert (await store.tenants.get(tenant.id)).name == "Acme"
    again = await store.schedules.set_tenant(tenant.id, off_hours="quiet")
    assert again.hours == setting.hours and again.off_hours is OffHours.QUIET
    cleared = await store.schedules.set_tenant(tenant.id, hours="")
    assert cleared.schedule() is None and cleared.holidays == ("2026-12-25", "2027-01-01")


@pytest.mark.parametrize(
    "change",
    [
        {"hours": "Mon 25:00-26:00"},
        {"holidays": ["2027-02-30"]},
        {"off_hours": "loud"},
        {"silence_alert": -1},
        {"silence_alert": 8 * 86_400},
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(store: Store, change: dict):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    await store.schedules.set_tenant(tenant.id, hours="Mon 09:00-10:00")
    with pytest.raises(InvalidInput):
        await store.schedules.set_tenant(tenant.id, **change)
    assert (await store.schedules.tenant(tenant.id)).hours == "Mon 09:00-10:00"


async def test_unknown_tenant_or_group(store: Store):
    with pytest.raises(NotFound):
        await store.schedules.set_tenant("404", off_hours="quiet")
    assert not await store.redis.exists(keys.tenant("404"))
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    with pytest.raises(NotFound):
        await store.schedules.set_group(tenant.id, "nope", hours="Mon 09:00-10:00")
    assert not await store.redis.exists(keys.group(tenant.id, "nope"))


async def test_group_schedule_overrides_the_tenants_and_can_be_dropped(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    await store.groups.ensure(tenant.id, "sales", notify=True)
    await store.schedules.set_tenant(tenant.id, hours="Mon-Fri 09:00-18:00", off_hours="digest")
    own = await store.schedules.set_group(
        tenant.id, "sales", hours="Sat 10:00-14:00", holidays=["2027-01-02"]
    )
    assert own.hours == "Sat 10:00-14:00" and own.holidays == ("2027-01-02",)
    assert own.off_hours is OffHours.DIGEST and own.from_group
    other = await store.schedules.effective(tenant.id, "default")
    assert other.hours == "Mon-Fri 09:00-18:00" and not other.from_group
    back = await store.schedules.set_group(tenant.id, "sales", hours="")
    assert back.hours == "Mon-Fri 09:00-18:00" and not back.from_group


async def test_personal_quiet_hours(store: Store):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    await store.subs.activate(tenant.id, 1, "Ann")
    await store.subs.activate(tenant.id, 2, "Bob")
    assert await store.schedules.quiet(tenant.id, 1) is None
    assert await store.schedules.set_quiet(tenant.id, 1, "22:00-8:00") == (1320, 1920)
    assert await store.schedules.quiet(tenant.id, 1) == (1320, 1920)
    assert await store.schedules.quiet_of(tenant.id, [1, 2, 3]) == {1: (1320, 1920)}
    # The subscription itself is unchanged by it.
    assert (await store.subs.get(tenant.id, 1)).name == "Ann"
    with pytest.raises(InvalidInput):
        await store.schedules.set_quiet(tenant.id, 1, "late")
    assert await store.schedules.set_quiet(tenant.id, 1, None) is None
    assert await store.schedules.quiet(tenant.id, 1) is None
    with pytest.raises(NotFound):
        await store.schedules.set_quiet(tenant.id, 3, "22:00-08:00")
    assert not await store.redis.exists(keys.sub(tenant.id, 3))


async def test_held_calls_are_due_by_their_time_and_released(store: Store):
    a, _ = await store.tenants.create("A", "UTC", "en")
    b, _ = await store.tenants.create("B", "UTC", "en")
    await store.held.hold(a.id, "c2", 2000.0)
    await store.held.hold(a.id, "c1", 1000.0)
    await store.held.hold(b.id, "c3", 3000.0)
    assert await store.held.due_tenants(999.0) == []
    assert await store.held.due_tenants(1500.0) == [a.id]
    assert [h.call_id for h in await store.held.due(a.id, 1500.0)] == ["c1"]
    await store.held.release(a.id, ["c1"])
    # A's next call is due later: A leaves the due list until then.
    assert await store.held.due_tenants(1500.0) == []
    assert await store.held.due_tenants(2500.0) == [a.id]
    await store.held.release(a.id, ["c2"])
    assert await store.held.pending(a.id) == []
    assert await store.held.due_tenants(10_000.0) == [b.id]


async def test_a_later_hold_never_delays_an_earlier_due_time(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "en")
    await store.held.hold(tenant.id, "c1", 1000.0)
    await store.held.hold(tenant.id, "c2", 5000.0)
    assert await store.held.due_tenants(1000.0) == [tenant.id]


async def test_release_keeps_a_tenant_held_while_releasing(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "en")
    await store.held.hold(tenant.id, "c1", 1000.0)
    # A call held between the digest's read and its release is not lost.
    await store.held.hold(tenant.id, "c2", 4000.0)
    await store.held.release(tenant.id, ["c1"])
    assert [h.call_id for h in await store.held.pending(tenant.id)] == ["c2"]
    assert await store.held.due_tenants(4000.0) == [tenant.id]


async def test_digest_lock_is_exclusive(store: Store):
    tenant, _ = await store.tenants.create("A", "UTC", "en")
    assert await store.held.lock(tenant.id, 30)
    assert not await store.held.lock(tenant.id, 30)
    await store.held.unlock(tenant.id)
    assert await store.held.lock(tenant.id, 30)


async def test_deleting_a_tenant_drops_its_held_calls(store: Store, keys_of):
    tenant, _ = await store.tenants.create("A", "UTC", "en")
    await store.held.hold(tenant.id, "c1", 1000.0)
    await store.delete_tenant(tenant.id)
    assert await store.held.due_tenants(10_000.0) == []
    assert await keys_of(store.redis, f"*t{tenant.id}}}*") == []
