"""Memory: however many bots run, their HTTP clients load the CA bundle into one TLS context."""

from __future__ import annotations

import ssl

from bot.http import PollRequest


async def test_every_poll_client_shares_one_tls_context(
    world, runtimes, tenants, store, eventually, monkeypatch
):
    loads: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def counting(self, *args, **kwargs):
        loads.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    runtime = await runtimes()
    # A bot started later, by the supervisor, shares it too.
    await store.bots.activate(tenants["globex"].id, tenants["globex_bot"].id)
    await eventually(lambda: _serving(runtime, world.globex.id))

    assert runtime.serving == {world.default.id, world.acme.id, world.globex.id}
    assert len(loads) == 1  # one CA bundle for the shared pool and all three pollers
    polls = [runtime.application(bot_id).bot._request[0] for bot_id in runtime.serving]
    assert all(isinstance(p, PollRequest) for p in polls)
    # What httpx really connects with, not only what we handed it.
    contexts = {id(p._client._transport._pool._ssl_context) for p in polls}
    assert contexts == {id(loads[0])}


async def _serving(runtime, bot_id: int) -> bool:
    return bot_id in runtime.serving
