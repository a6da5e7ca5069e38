"""`gongzhi serve`: the web server, the background worker, the case watcher (intake's
follow-up, the deadline scan and the periodic jobs) and the two sensing processes (the MQTT
ingester and the video watcher), as one foreground command that stops all five on Ctrl-C
(what `make run` uses). Each process is supervised on its own: one that dies is started
again with a growing wait while the others go on, and all of them die with ``serve``, even
when it is killed outright (production runs them as systemd services instead: deploy/).

The web server is gunicorn running the ASGI application in uvicorn workers: the live push
(`gongzhi.core.push`) keeps a page's event stream open for hours, which an async worker
holds as one cheap coroutine where a sync worker would give it a whole process. Sync views
run in the worker's thread pool as Django adapts them.

On more than one machine, run these as separate services instead (see README); run one
video watcher per set of cameras and one ingester per broker subscription.
"""

import argparse
import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import sys
import time

from gunicorn.glogging import Logger as GunicornLogger


class LogLines(GunicornLogger):
    """gunicorn's lines written as Django's (settings.LOGGING): the same date with its zone,
    and the access lines (uvicorn's, through gunicorn's access handler) dated too."""

    error_fmt = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
    datefmt = "%Y-%m-%d %H:%M:%S %z"  # settings.LOG_DATE_FORMAT

    def setup(self, cfg):
        super().setup(cfg)
        dated = logging.Formatter(self.error_fmt, self.datefmt)
        for handler in self.access_log.handlers:
            handler.setFormatter(dated)


def processes(host: str, port: int, workers: int) -> list[list[str]]:
    py = sys.executable
    return [
        [
            py,
            "-m",
            "gunicorn",
            "gongzhi.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            # Open event streams would hold a stopping worker for ever: cut them after a
            # few seconds (the browser reconnects to the next worker by itself).
            "--graceful-timeout",
            "5",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            "--logger-class",
            "gongzhi.serve.LogLines",
        ],
        [py, "-m", "gongzhi", "db_worker", "--queue-name", "*"],
        [py, "-m", "gongzhi", "cases", "watch", "--every", "60"],
        [py, "-m", "gongzhi", "sensing", "listen"],
        [py, "-m", "gongzhi", "sensing", "watch"],
    ]


def demo_processes() -> list[list[str]]:
    """With ``--demo``: the demo's devices report in real time with a few faults a day (about
    40,000 reports a day across 海东, one in 2,500 starting a fault) and its cameras are
    kept alive. Not essential: if it stops, the platform goes on."""
    py = sys.executable
    return [
        [py, "-m", "gongzhi", "sensing", "simulate", "--rate", "1", "--faults", "0.0004"]
        + ["--cameras"]
    ]


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return host or "127.0.0.1", int(port)


class Supervised:
    """One child process, started again with a growing wait each time it dies."""

    def __init__(self, cmd: list[str]):
        self.cmd = cmd
        self.name = " ".join(cmd[2:4])
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.delay = MIN_DELAY
        self.due = 0.0  # when to start it (again)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, preexec_fn=_die_with_parent(os.getpid()))
        self.started = time.monotonic()

    def check(self, now: float) -> None:
        """Start the process if it is due, or note its death and when to start it again."""
        if self.proc is None:
            if now >= self.due:
                self.start()
            return
        code = self.proc.poll()
        if code is None:
            return
        if now - self.started >= STABLE:
            self.delay = MIN_DELAY  # it had been running well: this is a new failure
        print(
            f"gongzhi serve: {self.name} exited ({code}); starting it again in {self.delay:g} s",
            file=sys.stderr,
            flush=True,
        )
        self.proc, self.due = None, now + self.delay
        self.delay = min(self.delay * 2, MAX_DELAY)

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# A child that dies is started again after 1 s, then 2, 4 … up to 30 s while it keeps dying;
# one that ran for a minute before dying starts again after 1 s.
MIN_DELAY, MAX_DELAY, STABLE = 1.0, 30.0, 60.0
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int):
    """Run in each child before it executes: the kernel sends it SIGTERM when ``serve`` dies,
    even by SIGKILL, so that no orphan keeps the port or the queue (Linux; elsewhere the
    children outlive a killed ``serve`` as before)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def arm():
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # serve died before the line above: go now
            os._exit(1)

    return arm


def one_time_zone() -> None:
    """Every process logs in the platform's TIME_ZONE: Django sets it in the processes that
    load it, but gunicorn's master never does and would stamp its lines in the machine's
    zone. Set here, the children inherit it."""
    from django.conf import settings

    os.environ["TZ"] = settings.TIME_ZONE
    time.tzset()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="gongzhi serve",
        description=(
            "Serve the platform: web server (gunicorn, ASGI), task worker, case watcher, "
            "sensor ingester and video watcher."
        ),
    )
    default = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
    parser.add_argument(
        "address",
        nargs="?",
        default=default,
        type=_address,
        help=f"HOST:PORT to listen on (default {default})",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WORKERS", "3")),
        help="web server worker processes (default: $WORKERS or 3)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="also simulate the demo's sensors and keep its cameras alive (make run)",
    )
    args = parser.parse_args(argv)
    one_time_zone()
    (host, port), workers = args.address, args.workers
    commands = processes(host, port, workers) + (demo_processes() if args.demo else [])
    children = [Supervised(cmd) for cmd in commands]
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        # Each process is watched on its own: a dead task worker or watcher is started again
        # while the web server goes on taking reports (and the other way round).
        while not stopping:
            now = time.monotonic()
            for child in children:
                child.check(now)
            time.sleep(0.25)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
    return 0
