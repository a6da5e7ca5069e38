"""`gongzhi serve`: the web server, the background worker, the case watcher (intake's
follow-up, the deadline scan and the periodic jobs) and the two sensing processes (the MQTT
ingester and the video watcher), as one foreground command that stops all five on Ctrl-C
(what `make run` uses).

The web server is gunicorn running the ASGI application in uvicorn workers: the live push
(`gongzhi.core.push`) keeps a page's event stream open for hours, which an async worker
holds as one cheap coroutine where a sync worker would give it a whole process. Sync views
run in the worker's thread pool as Django adapts them.

On more than one machine, run these as separate services instead (see README); run one
video watcher per set of cameras and one ingester per broker subscription.
"""

import argparse
import os
import signal
import subprocess
import sys
import time


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
    (host, port), workers = args.address, args.workers
    children = [subprocess.Popen(cmd) for cmd in processes(host, port, workers)]
    extras = [subprocess.Popen(cmd) for cmd in demo_processes()] if args.demo else []
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            if any(child.poll() is not None for child in children):
                break  # one died: take the others down rather than serve half a platform
            time.sleep(0.5)
    finally:
        for child in children + extras:
            if child.poll() is None:
                child.terminate()
        for child in children + extras:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0 if stopping else 1
