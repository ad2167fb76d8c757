"""Which parts each role of `perezvon run` starts, in start order: an explicit registry."""

from __future__ import annotations

from delivery.intake import Intake
from perezvon.ami_part import AmiSupervisor
from perezvon.components import Context, Part, Stop
from perezvon.sandbox_mode import start_sandbox
from perezvon.settings import ConfigError
from webhook_ingest.app import build_app
from webhook_ingest.app import serve as serve_http


async def _need_bot_token(ctx: Context) -> Stop | None:
    if ctx.default_token is None:
        raise ConfigError(
            "BOT_TOKEN: required for this role; the sandbox (no BOT_TOKEN) runs only with "
            "--role all"
        )
    return None


async def _ami(ctx: Context) -> Stop | None:
    supervisor = AmiSupervisor(ctx.store, Intake(ctx.store))
    await supervisor.start()
    ctx.banner.append(f"AMI links connected: {len(supervisor.link_ids)} (perezvon ami list)")
    return supervisor.stop


async def _metrics(ctx: Context) -> Stop | None:
    ctx.metrics.start()
    return ctx.metrics.stop


async def _ingest(ctx: Context) -> Stop | None:
    async def gauges() -> dict[str, tuple[str, float]]:
        merged: dict[str, tuple[str, float]] = {}
        for source in ctx.gauges:
            merged.update(await source())
        return merged

    app = build_app(ctx.store, Intake(ctx.store), ctx.metrics, gauges=gauges)
    ctx.shared["ingest_app"] = app
    served = await serve_http(app, ctx.settings.ingest_host, ctx.settings.ingest_port)
    ctx.shared["ingest_url"] = served.url
    ctx.banner.append(f"Ingest: POST {served.url}/v1/events  (health {served.url}/healthz)")
    return served.stop


METRICS = Part("metrics", _metrics)
INGEST = Part("http ingest", _ingest)
SANDBOX = Part("sandbox", start_sandbox)
AMI = Part("asterisk connectors", _ami)
NEED_TOKEN = Part("bot token check", _need_bot_token)

ROLE_PARTS: dict[str, list[Part]] = {
    "all": [METRICS, SANDBOX, INGEST, AMI],
    "bot": [METRICS, NEED_TOKEN],
    "ingest": [METRICS, INGEST],
    "worker": [METRICS, NEED_TOKEN],
    "ami": [METRICS, AMI],
}
