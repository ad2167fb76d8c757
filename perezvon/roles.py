"""Which parts each role of `perezvon run` starts, in start order: an explicit registry."""

from __future__ import annotations

from delivery.intake import Intake
from perezvon.ami_part import AmiSupervisor
from perezvon.components import Context, Part, Stop
from perezvon.sandbox_mode import start_sandbox
from perezvon.settings import ConfigError


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


SANDBOX = Part("sandbox", start_sandbox)
AMI = Part("asterisk connectors", _ami)
NEED_TOKEN = Part("bot token check", _need_bot_token)

ROLE_PARTS: dict[str, list[Part]] = {
    "all": [SANDBOX, AMI],
    "bot": [NEED_TOKEN],
    "ingest": [],
    "worker": [NEED_TOKEN],
    "ami": [AMI],
}
