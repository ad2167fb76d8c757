"""Connector benchmark: signed vendor posts/s accepted durably vs our JSON ingest.

    .venv/bin/python bench/connector_bench.py [--vendor NAME|all] [--seconds 5] [--rounds 3]
        [--redis-url redis://127.0.0.1:6379/14]

Zadarma posts a missed call's NOTIFY_END; Rostelecom a call's `disconnected` event, which is
folded into the call's record (one script, shared by concurrent posts) before it is judged
missed. Every other vendor posts the leg of its recorded missed call (tests/data/cloud/) that
yields the verdict, signed by the test signers (tests/webhook_ingest/connectors/signing.py),
with the call's id made unique per post.

Same server process, Redis (embedded, appendfsync=always) and load generator as
bench/ingest_bench.py; each round measures both back to back and the median ratio is printed.
Every answered post must be an entry in the intake stream (checked at the end). Beside the
rates, the ingest process's own CPU per request of each side (from /proc): on a shared machine
the rates move with the others' load, the CPU per request far less.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import ingest_bench as ib  # noqa: E402

from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from tests.webhook_ingest.connectors.signing import ROWS, Row  # noqa: E402
from webhook_ingest.connectors import REGISTRY  # noqa: E402
from webhook_ingest.connectors.base import HookRequest  # noqa: E402

ZD_SECRET = "bench-zadarma-secret"
RT_ID, RT_KEY = "bench-rt-client", "bench-rt-key"
OPTIONS = {
    "zadarma": {"secret": ZD_SECRET},
    "rostelecom": {"client_id": RT_ID, "client_key": RT_KEY},
}
PER_WORKER = 2000


def zadarma_body(tag: str, n: int) -> tuple[bytes, dict[str, str]]:
    """A signed missed-call NOTIFY_END, as Zadarma posts it (form body, Signature header)."""
    form = {
        "event": "NOTIFY_END", "call_start": "2026-01-31 09:15:00",
        "pbx_call_id": f"in_{tag}_{n}", "caller_id": f"7495{n:07d}",
        "called_did": "74957654321", "internal": "100", "duration": "0",
        "disposition": "no answer", "status_code": "19", "is_recorded": "0",
    }  # fmt: skip
    text = form["caller_id"] + form["called_did"] + form["call_start"]
    hexed = hmac.new(ZD_SECRET.encode(), text.encode(), hashlib.sha1).hexdigest()
    signature = base64.b64encode(hexed.encode()).decode()
    return urlencode(form).encode(), {
        "Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip


def rostelecom_body(tag: str, n: int) -> tuple[bytes, dict[str, str]]:
    """A signed `disconnected` of an incoming call never connected, as Rostelecom posts it."""
    body = json.dumps({
        "session_id": f"{tag}_{n}", "timestamp": 1767261625, "type": "incoming",
        "state": "disconnected", "from_number": f"sip:+7495{n:07d}@188.254.33.73",
        "request_number": "sip:+74957654321@188.254.33.73",
    }).encode()  # fmt: skip
    sign = hashlib.sha256(RT_ID.encode() + body + RT_KEY.encode()).hexdigest()
    return body, {"X-Client-ID": RT_ID, "X-Client-Sign": sign, "Content-Type": "application/json"}


Post = tuple[bytes, dict[str, str]]


def _raw_id(row: Row, leg: dict) -> str | None:
    """The vendor's own id of the call this leg decides, or None if it decides nothing."""
    signed = row.sign(leg, row.options, "")
    body = signed.body or (json.dumps(signed.json_body).encode() if signed.json_body else b"")
    request = HookRequest("POST", signed.sub_path, "", signed.headers, {},
        tuple(signed.form.items()), body)  # fmt: skip
    parsed = REGISTRY[row.vendor].parse(request)
    ids = [v.call_id for v in parsed.verdicts] + [s.call_id for s in parsed.steps if s.final]
    return ids[0].split(":", 1)[1] if ids else None


def _renamed(value: object, old: str, new: str) -> object:
    if isinstance(value, dict):
        return {k: _renamed(v, old, new) for k, v in value.items()}
    return new if value == old else value


def fixture_body(vendor: str, url: str) -> tuple[Callable[[str, int], Post], str]:
    """Posts of the vendor's recorded missed call, each a new call, signed as the vendor does;
    and the URL they go to (the vendor's sub-path, if any, below the connector's)."""
    row = next(r for r in ROWS if r.vendor == vendor)
    leg, raw = next((leg, i) for leg in row.cases()["missed"] if (i := _raw_id(row, leg)))
    if leg.get("path"):
        url = f"{url}/{leg['path']}"

    def body(tag: str, n: int) -> tuple[bytes, dict[str, str]]:
        mine = _renamed(leg, raw, f"{raw}-{tag}-{n}")
        signed = row.sign(mine, OPTIONS[vendor], url)
        headers = dict(signed.headers)
        if signed.body is not None or signed.json_body is not None:
            headers["Content-Type"] = "application/json"
            data = signed.body or json.dumps(signed.json_body).encode()
            return data, headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return urlencode(signed.form).encode(), headers

    return body, url


BODIES: dict[str, Callable[[str, int], Post] | None] = {
    "zadarma": zadarma_body,
    "rostelecom": rostelecom_body,
    **{r.vendor: None for r in ROWS if r.vendor not in ("zadarma", "rostelecom")},
}
OPTIONS.update({r.vendor: r.options for r in ROWS if r.vendor not in OPTIONS})


async def vendor_loop(
    vendor: str, url: str, seconds: float, workers: int, tag: str
) -> tuple[float, int]:
    done = 0
    # Signed ahead of time, so the load generator's CPU goes to sending (as ingest_bench's).
    sign = BODIES[vendor]
    if sign is None:
        sign, url = fixture_body(vendor, url)
    ready = [[sign(f"{tag}w{w}", n) for n in range(PER_WORKER)] for w in range(workers)]
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as session:

        async def worker(w: int) -> None:
            nonlocal done
            for body, headers in ready[w]:
                if time.perf_counter() >= deadline:
                    break
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"status {resp.status}")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(workers)))
        return done / (time.perf_counter() - start), done


async def _connector(redis_url: str, tid: str, vendor: str) -> str:
    redis = connect(redis_url)
    store = Store(redis, SecretBox(ib.SECRET))
    options = OPTIONS[vendor]
    c = await store.connectors.add(tid, vendor, options, secret_names=REGISTRY[vendor].secrets)
    await redis.aclose()
    return c.id


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc), so a busy machine's share of
    the cores, which sways the rates, does not sway this."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(
    redis_url: str, seconds: float, workers: int, rounds: int, label: str, vendor: str = "zadarma"
) -> dict:
    tid, key = await ib._tenant(redis_url)
    cid = await _connector(redis_url, tid, vendor)
    server = ib.Server("ingest", redis_url)
    hook_url = server.url.replace("/v1/events", f"/v1/hooks/{vendor}/{cid}")
    ours, theirs, sent = [], [], 0
    cpu = {"json": [0.0, 0], vendor: [0.0, 0]}
    try:
        for r in range(rounds):
            # Alternate which side goes first, so neither always meets a warmer Redis.
            for side in ("json", vendor) if r % 2 == 0 else (vendor, "json"):
                before = _cpu_seconds(server.proc.pid)
                if side == "json":
                    rate, n = await ib.closed_loop(server.url, key, seconds, workers, 1, f"j{r}")
                    ours.append(rate)
                else:
                    rate, n = await vendor_loop(vendor, hook_url, seconds, workers, f"v{r}")
                    theirs.append(rate)
                cpu[side][0] += _cpu_seconds(server.proc.pid) - before
                cpu[side][1] += n
                sent += n
    finally:
        server.stop()
    return {
        "redis": label,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "client_workers": workers,
        "json_ingest_events_per_s": round(statistics.median(ours)),
        f"{vendor}_signed_posts_per_s": round(statistics.median(theirs)),
        "ratio": ib._ratio(theirs, ours),
        # The ingest process's CPU per request, each side over all its rounds.
        "json_server_cpu_us_per_request": round(cpu["json"][0] / cpu["json"][1] * 1e6),
        f"{vendor}_server_cpu_us_per_post": round(cpu[vendor][0] / cpu[vendor][1] * 1e6),
        # The target's figure: a vendor post may cost at most 1/0.8 of a JSON event.
        "cpu_quotient_json_over_vendor": round(
            (cpu["json"][0] / cpu["json"][1]) / (cpu[vendor][0] / cpu[vendor][1]), 2
        ),
        "answered": sent,
        "queued_in_redis": await ib._queued(redis_url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vendor", choices=[*sorted(BODIES), "all"], default="zadarma",
        help="`all`: every vendor, one after another, in one run (and one summary)",
    )  # fmt: skip
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", help="use this Redis (its database is FLUSHED)")
    args = parser.parse_args()
    vendors = sorted(BODIES) if args.vendor == "all" else [args.vendor]
    load_before = os.getloadavg()
    if args.redis_url:
        reports = [
            asyncio.run(run(args.redis_url, args.seconds, args.workers, args.rounds, "given", v))
            for v in vendors
        ]
    else:
        with tempfile.TemporaryDirectory(prefix="pz-bench-") as tmp:
            with ib.EmbeddedRedis(Path(tmp), appendfsync="always") as redis:
                label = "embedded redis-server, appendonly yes, appendfsync always"
                reports = [
                    asyncio.run(run(redis.url, args.seconds, args.workers, args.rounds, label, v))
                    for v in vendors
                ]
    if len(reports) == 1:
        print(json.dumps(reports[0], indent=2))
        return
    print(json.dumps({"load_average_before": load_before, "load_average_after": os.getloadavg(),
        "vendors": reports}, indent=2))  # fmt: skip
    for v, r in zip(vendors, reports, strict=True):
        print(f"{v:11} cpu JSON/vendor {r['cpu_quotient_json_over_vendor']:.2f}  rate ratio "
              f"{r['ratio']:.2f}  ({r['json_server_cpu_us_per_request']} / "
              f"{r[f'{v}_server_cpu_us_per_post']} us)  answered {r['answered']}, "
              f"queued {r['queued_in_redis']}")  # fmt: skip


if __name__ == "__main__":
    main()
