"""Ingest tokens: a PBX posts with its own token; a revoked one gets the wrong key's 401."""

import logging

from webhook_ingest.auth import TenantKeys, redact
from webhook_ingest.errors import IngestError

EVENT = {"call_id": "t-1", "caller": "100"}


async def test_a_live_token_authenticates_and_a_revoked_one_is_refused_like_a_wrong_key(
    ingest, caplog
):
    caplog.set_level(logging.DEBUG)
    _, token = await ingest.store.ingest_tokens.create(ingest.tenant.id, "pbx1")
    accepted = await ingest.post(EVENT, headers=ingest.auth(token))
    assert accepted.status == 202 and (await accepted.json())["status"] == "accepted"

    await ingest.store.ingest_tokens.revoke(ingest.tenant.id, "pbx1")
    keys = TenantKeys(ingest.store, ttl=0)  # the app caches for a second: ask the store
    stranger = "pzt_" + "x" * 32
    refusals = []
    for secret in (token, stranger):
        try:
            await keys.tenant(secret)
        except IngestError as exc:
            refusals.append(exc.code)
    assert refusals == ["invalid_key", "invalid_key"]
    # The API key still works beside the tokens.
    again = await ingest.post({**EVENT, "call_id": "t-2"})
    assert again.status == 202
    assert token not in "\n".join(r.getMessage() for r in caplog.records)


async def test_a_revoked_token_gets_the_same_401_body_as_a_wrong_key(ingest):
    _, token = await ingest.store.ingest_tokens.create(ingest.tenant.id, "pbx1")
    await ingest.store.ingest_tokens.revoke(ingest.tenant.id, "pbx1")
    revoked = await ingest.post(EVENT, headers=ingest.auth(token))
    wrong = await ingest.post(EVENT, headers=ingest.auth("pzt_" + "y" * 32))
    one, two = await revoked.json(), await wrong.json()
    for body in (one, two):
        del body["error"]["request_id"]
    assert revoked.status == wrong.status == 401 and one == two


def test_tokens_are_redacted_in_paths():
    assert redact("/v1/events?key=pzt_abcdefghijklmnop") == "/v1/events?key=pzt_<redacted>"
