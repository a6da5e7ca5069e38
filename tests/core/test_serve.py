"""`gongzhi serve` (what `make run` ends with): web server, task worker and deadline watcher
start together, answer, and stop together."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "gongzhi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(migrated_var):
    env = dict(os.environ, GONGZHI_VAR_DIR=str(migrated_var), GONGZHI_SECRET_KEY="test-serve")
    env.pop("DATABASE_URL", None)  # its own SQLite file: this tests the command, not a DB
    return env


def test_serve_starts_all_five_and_stops_them_on_sigterm(env):
    port = free_port()
    proc = subprocess.Popen(
        [BIN, "serve", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.25)
        assert body == b'{"status": "ok"}'
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 5  # gunicorn, db_worker, the case watcher, sensors, video
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        for pid in children:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text()
            )
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_serve_refuses_a_bad_address():
    proc = subprocess.run([BIN, "serve", "nonsense"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "HOST:PORT" in proc.stderr
