"""`gongzhi serve` supervises each process on its own (issue 22, defect 4): when the task
worker dies the web server goes on answering and the worker is started again; when `serve`
itself is killed outright its children go with it, and a new `serve` binds the same port."""

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
PATIENCE = 720  # polls of 0.25 s: a busy machine may take minutes to start five processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(migrated_var):
    env = dict(os.environ, GONGZHI_VAR_DIR=str(migrated_var), GONGZHI_SECRET_KEY="test-serve")
    env.pop("DATABASE_URL", None)  # its own SQLite file: this tests the command, not a DB
    return env


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.read() == b'{"status": "ok"}'
    except OSError:
        return False


def wait_for(predicate) -> bool:
    for _ in range(PATIENCE):
        if predicate():
            return True
        time.sleep(0.25)
    return False


def children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid``: {pid: command line}."""
    found = {}
    for line in subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split():
        try:
            cmdline = Path(f"/proc/{line}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = Path(f"/proc/{line}/status").read_text()
        except OSError:
            continue
        if "zombie" not in status:
            found[int(line)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def start(env, port):
    return subprocess.Popen(
        [BIN, "serve", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc, pids):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_dead_worker_is_restarted_and_the_web_server_keeps_serving(env):
    port = free_port()
    proc = start(env, port)
    seen = set()
    try:
        assert wait_for(lambda: healthy(port))
        first = children(proc.pid)
        seen |= set(first)
        (worker,) = [pid for pid, cmd in first.items() if "db_worker" in cmd]
        os.kill(worker, signal.SIGKILL)

        def worker_back():
            now = children(proc.pid)
            seen.update(now)
            return any("db_worker" in cmd and pid != worker for pid, cmd in now.items())

        # (before the fix, serve stopped everything instead: stop waiting then)
        assert wait_for(lambda: worker_back() or proc.poll() is not None)
        assert proc.poll() is None  # serve itself goes on
        assert healthy(port)
        (web,) = [pid for pid, cmd in first.items() if "gunicorn" in cmd]
        assert web in children(proc.pid)  # the same web server all along
    finally:
        stop(proc, seen)


def test_killing_serve_takes_its_children_and_a_restart_binds_the_port(env):
    port = free_port()
    proc = start(env, port)
    later = None
    seen = set()
    try:
        assert wait_for(lambda: healthy(port))
        first = children(proc.pid)
        seen |= set(first)
        assert len(first) == 5
        os.kill(proc.pid, signal.SIGKILL)  # not the group: only serve itself
        proc.wait(timeout=30)
        assert wait_for(lambda: not any(alive(pid) for pid in first))
        later = start(env, port)
        assert wait_for(lambda: healthy(port))
        seen |= set(children(later.pid))
        assert later.poll() is None
    finally:
        stop(proc, seen)
        if later is not None:
            stop(later, seen)
