"""The contract every cloud PBX connector meets, one table row per vendor (signing.ROWS)."""

from __future__ import annotations

import pytest

from store import keys

KINDS = ("missed", "answered", "outbound")
# The fields that carry a secret in the body (the others sign in a header).
UNSIGNED_FIELDS = ("sign", "crm_token", "auth[application_token]")


def _final(hook) -> dict:
    """The leg that carries a missed call's verdict (the last one, unless the case says)."""
    cases = hook.row.cases()
    return cases["missed"][cases.get("missed_final", -1)]


async def _post_all(hook, legs) -> list[dict]:
    results = []
    for leg in legs:
        resp = await hook.post(leg)
        assert resp.status == 200, await resp.text()
        if resp.content_type == "application/json":
            results += (await resp.json()).get("results", [])
    return results


@pytest.mark.parametrize("kind", KINDS)
async def test_every_leg_of_a_call_yields_exactly_one_verdict(hook, kind):
    results = await _post_all(hook, hook.row.cases()[kind])
    assert len(results) == 1
    assert results[0]["call_id"].startswith(f"{hook.row.vendor}:")
    recorded = await hook.ingest.store.redis.exists(
        keys.call(hook.ingest.tenant.id, results[0]["call_id"])
    )
    # Only missed calls are recorded as cards; the others go to the follow-up intake.
    assert bool(recorded) == (kind == "missed")
    if kind == "missed":
        assert results[0]["status"] == "accepted"


async def test_a_missed_call_carries_caller_and_group(hook):
    (result,) = await _post_all(hook, hook.row.cases()["missed"])
    call = await hook.ingest.store.calls.get(hook.ingest.tenant.id, result["call_id"])
    expect = hook.row.cases()["missed_expect"]
    assert call.group_id == expect["group"]
    assert expect["caller"] in call.payload


async def test_noise_legs_yield_nothing(hook):
    assert await _post_all(hook, hook.row.cases()["noise"]) == []
    assert await hook.ingest.store.calls.recent(hook.ingest.tenant.id) == []


async def test_a_retried_final_event_is_a_duplicate(hook):
    final = _final(hook)
    first = await (await hook.post(final)).json()
    again = await (await hook.post(final)).json()
    assert first["results"][0]["status"] == "accepted"
    assert again["results"] == [{"call_id": first["results"][0]["call_id"], "status": "duplicate"}]


async def test_a_wrong_secret_is_refused_and_nothing_is_recorded(signed_hook):
    wrong = {k: v + "x" for k, v in signed_hook.row.options.items()}
    resp = await signed_hook.post(_final(signed_hook), options=wrong)
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "bad_signature"
    assert await signed_hook.ingest.store.calls.recent(signed_hook.ingest.tenant.id) == []
    status = await signed_hook.ingest.store.connectors.status(signed_hook.connector)
    assert status.last_rejected and status.last_rejected_at
    await signed_hook.ingest.metrics.flush()
    text = await (await signed_hook.ingest.client.get("/metrics")).text()
    assert f'connector_rejected_total{{status="401",vendor="{signed_hook.row.vendor}"}} 1' in text


async def test_a_missing_signature_is_refused(signed_hook):
    final = _final(signed_hook)
    signed = signed_hook.row.sign(final, signed_hook.row.options, "")
    form = {k: v for k, v in signed.form.items() if k not in UNSIGNED_FIELDS}
    path = signed_hook.path + (f"/{signed.sub_path}" if signed.sub_path else "")
    resp = await signed_hook.ingest.client.post(path, data=form)
    assert resp.status == 401
    assert await signed_hook.ingest.store.calls.recent(signed_hook.ingest.tenant.id) == []


async def test_an_unknown_connector_or_other_vendor_is_404(hook):
    final = _final(hook)
    other = "twilio" if hook.row.vendor != "twilio" else "mango"
    for path in (f"/v1/hooks/{hook.row.vendor}/nope", f"/v1/hooks/{other}/{hook.connector.id}"):
        resp = await hook.ingest.client.post(
            path, data=hook.row.sign(final, hook.row.options, "").form
        )
        assert resp.status == 404


async def test_a_source_outside_allow_ip_is_403(hook):
    store = hook.ingest.store
    vendor_secrets = tuple(hook.row.options)
    hook.connector = await store.connectors.add(
        hook.ingest.tenant.id, hook.row.vendor, hook.row.options,
        secret_names=vendor_secrets, allow_ip=("203.0.113.0/24",),
    )  # fmt: skip
    resp = await hook.post(_final(hook))
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "forbidden"
    assert await store.calls.recent(hook.ingest.tenant.id) == []
    status = await store.connectors.status(hook.connector)
    assert status.last_rejected and "not allowed" in status.last_rejected
    await hook.ingest.metrics.flush()
    text = await (await hook.ingest.client.get("/metrics")).text()
    assert f'connector_rejected_total{{status="403",vendor="{hook.row.vendor}"}} 1' in text
