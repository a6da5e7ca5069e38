"""Reports keep coming while the platform's processes die: none lost, none doubled.

Runs `gongzhi serve` (web server, task worker, watcher, sensing) on a fresh PostgreSQL
database with the 海东 demo, and sends a steady stream of reports through the API as a
hotline desk would (each with its own Idempotency-Key). In each phase one process is
killed with SIGKILL a second in: none (the baseline, in the same run), a web worker, the web
server's master, the watcher, the task worker, and with ``--restart-db`` the database
server (restarted through pg_ctlcluster: never on a machine whose database others use).
Every report not acknowledged is then sent again with its key, as a client retries.

Prints one JSON object: per phase, the reports sent, acknowledged at once, failed, and the
seconds from the kill to the first report accepted after it; then, after the retries, the
reports lost (never stored), doubled (stored twice), and the callers' texts: each call's
caller (a phone of its own) is texted once that the report is registered, through an SMS
gateway this script plays (an HTTP server counting what it receives), so a text lost or
sent twice while the task worker dies shows. Targets: 0 lost, 0 doubled, 0 notices doubled, accepted
again within 5 s of any single process dying. Prints {"skipped": why} without PostgreSQL.

    python bench/faults.py [--rate 8] [--phase-seconds 8] [--restart-db]
"""

from __future__ import annotations

import argparse
import collections
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _postgres import drop_postgres, postgres_database  # noqa: E402

GONGZHI = [sys.executable, "-m", "gongzhi"]
# Which process a phase kills, by what its command line holds; "worker" is a child of the
# gunicorn master, "master" the master itself.
PHASES = ["none", "web worker", "web master", "watcher", "task worker"]
POINT = (102.4020, 36.4830)  # 乐都区 碾伯镇, inside the demo's grids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes() -> list[tuple[int, int, str]]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True)
    rows = []
    for line in out.stdout.splitlines():
        pid, ppid, args = line.strip().split(None, 2)
        rows.append((int(pid), int(ppid), args))
    return rows


def _target(kind: str, serve_pid: int) -> int | None:
    rows = _processes()
    children = {pid: args for pid, ppid, args in rows if ppid == serve_pid}
    master = next((pid for pid, args in children.items() if "gunicorn" in args), None)
    if kind == "web master":
        return master
    if kind == "web worker":
        return next((pid for pid, ppid, _ in rows if ppid == master), None)
    if kind == "watcher":
        return next((pid for pid, a in children.items() if "cases watch" in a), None)
    if kind == "task worker":
        return next((pid for pid, a in children.items() if "db_worker" in a), None)
    return None


class Gateway(http.server.BaseHTTPRequestHandler):
    """The SMS gateway: counts the texts received per phone."""

    received: collections.Counter = collections.Counter()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received[body["phone"]] += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _phone(i: int) -> str:
    return f"139{i % 10**8:08d}"


class Sender:
    """Sends reports at a steady rate; remembers each one's key and whether it was taken."""

    def __init__(self, base: str, token: str, run: str):
        self.base, self.token, self.run = base, token, run
        self.sent: list[dict] = []
        self.next = 0
        self.lock = threading.Lock()

    def post(self, key: str, i: int) -> bool:
        body = json.dumps(
            {
                "title": f"故障演练 {self.run} 第{i}件：路面坑洼",
                "description": f"演练报告 {self.run}-{i}，路口路面有坑，请尽快处理。",
                "category": "G02.03",
                "lng": POINT[0],
                "lat": POINT[1],
                "channel": "hotline",
                "reporter_name": "演练",
                "reporter_phone": _phone(i),
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/api/v1/cases",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return answer.status in (200, 201)
        except (urllib.error.URLError, OSError, TimeoutError):
            return False

    def stream(self, seconds: float, rate: float, phase: str, desks: int = 4) -> None:
        """``desks`` operators at once, together about ``rate`` reports a second."""
        end = time.monotonic() + seconds

        def desk():
            while time.monotonic() < end:
                started = time.monotonic()
                with self.lock:
                    i = self.next
                    self.next += 1
                key = f"faults-{self.run}-{i:05d}"
                ok = self.post(key, i)
                with self.lock:
                    self.sent.append({"i": i, "key": key, "phase": phase, "at": started, "ok": ok})
                time.sleep(max(0.0, desks / rate - (time.monotonic() - started)))

        threads = [threading.Thread(target=desk) for _ in range(desks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def _wait_healthy(base: str, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the platform did not come up")


def _counts(env: dict, run: str) -> dict:
    """What was stored, once intake's follow-up (the watcher: routing, notices) is done."""
    code = (
        "import django,json,time;django.setup()\n"
        "from django.db.models import Count\n"
        "from gongzhi.cases.models import Case\n"
        "from gongzhi.notify.models import Delivery, Notification\n"
        f"cases=Case.objects.filter(title__contains='故障演练 {run} ')\n"
        "end=time.monotonic()+240\n"
        "while cases.filter(follow_up_pending=True).exists() and time.monotonic()<end:"
        "time.sleep(1)\n"
        "per=cases.values('title').annotate(n=Count('id'))\n"
        "links=[f'/cases/{n}/' for n in cases.values_list('number',flat=True)]\n"
        "dup=Notification.objects.filter(link__in=links).values('recipient','kind','link')"
        ".annotate(n=Count('id')).filter(n__gt=1).count()\n"
        "print(json.dumps({'titles':[r['title'] for r in per],"
        "'doubled':sum(1 for r in per if r['n']>1),'notices_doubled':dup,"
        "'notices':Notification.objects.filter(link__in=links).count(),"
        "'follow_up_pending':cases.filter(follow_up_pending=True).count(),"
        "'texts_by_status':{r['status']:r['n'] for r in Delivery.objects.filter("
        "channel='sms',target__in=list(cases.values_list('reporter_phone',flat=True)))"
        ".values('status').annotate(n=Count('id'))},"
        "'text_errors':sorted({d for d in Delivery.objects.filter(channel='sms')"
        ".exclude(last_error='').values_list('last_error',flat=True)[:50]})[:5]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=8, help="reports a second")
    parser.add_argument("--phase-seconds", type=float, default=8)
    parser.add_argument("--restart-db", action="store_true")
    args = parser.parse_args(argv)
    url, why = postgres_database("gongzhi_bench_faults")
    if url is None:
        print(json.dumps({"skipped": why}))
        return 0
    var = tempfile.mkdtemp(prefix="gongzhi-faults-")
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        DATABASE_URL=url,
        GONGZHI_VAR_DIR=var,
        GONGZHI_RATE_LIMIT_API_REPORT="",  # the stream is faster than a desk's limit
        PYTHONPATH=str(ROOT / "src"),
    )
    # The gateway only for the served platform: with it the demo load would queue a text for
    # each of its thousands of calls, and the bench's texts would wait behind them.
    sms = {"GONGZHI_SMS_GATEWAY_URL": f"http://127.0.0.1:{gateway.server_port}/sms"}
    serve = None
    try:
        for step in (["migrate", "--no-input", "-v", "0"], ["demo", "load"]):
            done = subprocess.run(GONGZHI + step, env=env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"gongzhi {' '.join(step)} failed:\n{done.stderr[-3000:]}")
        subprocess.run(GONGZHI + ["collectstatic", "--no-input", "-v", "0"], env=env, check=True)
        token = subprocess.run(
            GONGZHI + ["tokens", "issue", "--user", "demo_hotline", "--name", "faults"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        serve = subprocess.Popen(
            GONGZHI + ["serve", f"127.0.0.1:{port}"],
            env={**env, **sms, "WORKERS": "2"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_healthy(base)
        run = uuid.uuid4().hex[:8]
        sender = Sender(base, token, run)
        for i in range(4):  # warm the workers first; these are not counted
            sender.post(f"faults-warm-{run}-{i}", -1 - i)
        phases = PHASES + (["database"] if args.restart_db else [])
        result = {"phases": {}}
        for phase in phases:
            stream = threading.Thread(
                target=sender.stream, args=(args.phase_seconds, args.rate, phase)
            )
            stream.start()
            time.sleep(1)
            killed_at = time.monotonic()
            if phase == "database":
                cluster = sorted(os.listdir("/etc/postgresql"))[-1]
                subprocess.run(
                    ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
                    check=True,
                    capture_output=True,
                )
            elif phase != "none":
                pid = _target(phase, serve.pid)
                if pid is None:
                    raise RuntimeError(f"no process for {phase}")
                os.kill(pid, signal.SIGKILL)
            stream.join()
            rows = [r for r in sender.sent if r["phase"] == phase]
            after = [r["at"] - killed_at for r in rows if r["ok"] and r["at"] >= killed_at]
            failed = [r for r in rows if not r["ok"]]
            result["phases"][phase] = {
                "sent": len(rows),
                "acknowledged": len(rows) - len(failed),
                "failed": len(failed),
                # from the kill to the first report taken that was sent after it
                "accepted_again_s": round(min(after), 2) if after else None,
            }
            _wait_healthy(base)  # the next phase starts from a whole platform
        # The client retries what was not acknowledged, with the same keys.
        retried = 0
        for row in sender.sent:
            if not row["ok"]:
                for _ in range(20):
                    retried += 1
                    if sender.post(row["key"], row["i"]):
                        row["ok"] = True
                        break
                    time.sleep(0.5)
        # The texts: sent by the task worker after each follow-up; wait until none is left
        # pending or sending (a failed send is retried later), at most 3 minutes.
        end = time.monotonic() + 180
        while True:
            counts = _counts(env, run)
            waiting = sum(counts["texts_by_status"].get(k, 0) for k in ("pending", "sending"))
            if not waiting or time.monotonic() > end:
                break
            time.sleep(5)
        stored = {t.split("第")[1].split("件")[0] for t in counts["titles"]}
        result.update(
            reports=len(sender.sent),
            retried=retried,
            lost=sum(1 for r in sender.sent if str(r["i"]) not in stored),
            doubled=counts["doubled"],
            notices=counts["notices"],
            notices_doubled=counts["notices_doubled"],
            texts=sum(Gateway.received[_phone(r["i"])] for r in sender.sent),
            texts_doubled=sum(1 for r in sender.sent if Gateway.received[_phone(r["i"])] > 1),
            texts_missing=sum(1 for r in sender.sent if Gateway.received[_phone(r["i"])] == 0),
            follow_up_pending=counts["follow_up_pending"],
            texts_by_status=counts["texts_by_status"],
            text_errors=counts["text_errors"],
            still_unacknowledged=sum(1 for r in sender.sent if not r["ok"]),
        )
        killed = [p for name, p in result["phases"].items() if name != "none"]
        result["targets_met"] = {
            "no_report_lost": result["lost"] == 0,
            "no_report_doubled": result["doubled"] == 0,
            "no_notice_doubled": result["notices_doubled"] == 0 and result["texts_doubled"] == 0,
            "every_caller_texted": result["texts_missing"] == 0,
            "every_report_followed_up": result["follow_up_pending"] == 0,
            "accepted_again_within_5_s": all(
                p["accepted_again_s"] is not None and p["accepted_again_s"] <= 5 for p in killed
            ),
        }
        print(json.dumps(result, ensure_ascii=False))
        return 0
    finally:
        if serve is not None:
            try:
                os.killpg(serve.pid, signal.SIGTERM)
                serve.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(serve.pid, signal.SIGKILL)
        gateway.shutdown()
        drop_postgres(url)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
