"""`perezvon run` with a token Telegram rejects: one line naming BOT_TOKEN, exit 2."""

import os
import re
import subprocess
import sys


def test_a_rejected_bot_token_is_one_clear_line(tmp_path):
    emulator = subprocess.Popen(
        [sys.executable, "-u", "-m", "tg_emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = re.search(r"on (http://\S+) ", emulator.stdout.readline()).group(1)
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        # Shaped like a token, known to nobody: the emulator answers 401 as Telegram does.
        unknown = "1234:" + "x" * 35
        env.update(
            BOT_TOKEN=unknown, TELEGRAM_API_URL=base, DATA_DIR=str(tmp_path / "data"),
            SECRET_KEY="s" * 32, INGEST_PORT="0",
        )  # fmt: skip
        run = subprocess.run(
            [sys.executable, "-m", "perezvon", "run", "--role", "bot"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        emulator.terminate()
        emulator.wait(10)
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "BOT_TOKEN: " in errors[0], run.stderr
    assert "Traceback" not in run.stderr and unknown not in run.stderr
