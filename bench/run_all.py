"""Run every benchmark in turn (minutes, loopback only); each prints its own table."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> script and its arguments; an explicit list, in the order the README quotes them.
BENCHES: list[tuple[str, list[str]]] = [
    ("Telegram emulator", ["emulator_bench.py"]),
    ("HTTP ingest", ["ingest_bench.py"]),
    ("Delivery", ["delivery_bench.py"]),
    ("perezvon run with 100 custom bots (memory)", ["service_bench.py"]),
    ("Idle bot runtime with N bots", ["bots_idle_bench.py"]),
    ("Telegram outage, 20 chats x 100 messages (10 minutes down)", ["outage_bench.py"]),
    ("The bot in a crowd (/activate, /status, admin buttons)", ["crowd_bench.py"]),
    ("Asterisk AMI parser and detector", ["ami_bench.py"]),
    ("Cloud PBX connectors (signed Zadarma posts vs JSON)", ["connector_bench.py"]),
    ("Follow-up card edits", ["followup_bench.py"]),
    ("Intake on one Redis and on a 3-master Cluster, 1/2/4 processes", ["cluster_bench.py"]),
]


def main() -> int:
    failed = []
    for name, (script, *args) in BENCHES:
        print(f"\n## {name}\n", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(HERE / script), *args])
        print(f"\n({name}: {time.monotonic() - started:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
