"""Commit-to-delivered latency of notifications at a steady rate.

Question: with a real Celery worker, how long after the transaction that calls notify() commits is
the e-mail handed to the mail backend, at 50 notifications per second, and how many are delivered
per second? Two modes:

- `--mode redis` (the default): PostgreSQL and a Redis broker, as in production;
- `--mode embedded`: what `make run` sets up, SQLite and kombu's filesystem broker, in a temporary
  var directory of its own (a fresh, migrated database), with the worker and beat `make run` starts.

Each notification is one transaction (a listing decision of a company with one member: one e-mail
and one in-app row). The latency of an e-mail is its `sent_at` minus the moment the transaction
committed; in-app rows are delivered by the commit itself. The script starts its own worker (and
beat) on a Redis database of its own, which it empties first. On PostgreSQL it also prints how many
connections were opened to the database during the run (a worker that reconnected for every task
opened one per e-mail).

    export DJANGO_SETTINGS_MODULE=config.settings.local
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench
    export REDIS_URL=redis://127.0.0.1:6379/1
    .venv/bin/python manage.py migrate --noinput
    .venv/bin/python bench/notifications.py [--rate 50] [--seconds 20] [--concurrency 2] [--broker-db 14]

    .venv/bin/python bench/notifications.py --mode embedded [--rate 50] [--seconds 20]
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def session_cpu_seconds(session_id: int) -> float:
    """User and system CPU of every live process of a session (a worker and its pool processes)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[3]) == session_id:  # fields[3] is the session id (the sixth field of stat)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50, help="notifications per second")
    parser.add_argument("--seconds", type=float, default=20, help="how long to keep the rate")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--broker-db", type=int, default=14, help="Redis database of the worker's broker")
    parser.add_argument("--mode", choices=("redis", "embedded"), default="redis",
                        help="PostgreSQL and Redis, or SQLite and the filesystem broker as `make run`")
    args = parser.parse_args()
    embedded = args.mode == "embedded"

    mail_dir = Path(tempfile.mkdtemp(prefix="bench-notifications-mail-"))
    var_dir = Path(tempfile.mkdtemp(prefix="bench-notifications-var-"))
    broker_url = ""
    if embedded:
        # Exactly the defaults of `make run`: no DATABASE_URL, REDIS_URL or broker, so SQLite and the
        # filesystem broker under the var directory, and the local memory cache.
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            os.environ.pop(name, None)
    else:
        redis_url = os.environ.get("REDIS_URL", "")
        if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not redis_url.startswith("redis"):
            sys.exit("Set DATABASE_URL to PostgreSQL and REDIS_URL to Redis (see bench/README.md).")
        broker_url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{args.broker_db}"))
        os.environ["CELERY_BROKER_URL"] = broker_url
    os.environ["EMAIL_BACKEND"] = "core.emails.FileEmailBackend"
    os.environ["EMAIL_FILE_PATH"] = str(mail_dir)
    os.environ["SME_VAR_DIR"] = str(var_dir)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    if embedded:
        call_command("migrate", verbosity=0, interactive=False)

    def broker_flush() -> None:
        if not embedded:
            import redis

            redis.Redis.from_url(broker_url).flushdb()

    from accounts.models import Company, Membership, MembershipRole, User, VerificationStatus
    from notifications.models import Channel, Delivery, DeliveryStatus
    from notifications.services import notify

    broker_flush()
    load_before = os.getloadavg()[0]
    celery = [str(Path(sys.executable).parent / "celery"), "-A", "config"]
    log = (var_dir / "celery.log").open("ab")
    processes = [
        subprocess.Popen([*celery, "worker", "-l", "warning", f"--concurrency={args.concurrency}",
                          "-n", f"bench-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle",
                          "--without-heartbeat"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True),
        subprocess.Popen([*celery, "beat", "-l", "warning", "-s", str(var_dir / "celerybeat-schedule")], cwd=ROOT,
                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True),
    ]
    tag = uuid.uuid4().hex[:8]
    company = Company.objects.create(legal_name=f"Bench Notifications {tag}", country="TR",
                                     registration_number=f"BENCH-{tag}", address="Bench street 1",
                                     default_currency="TRY", kind="seller",
                                     verification_status=VerificationStatus.VERIFIED)
    user = User.objects.create_user(email=f"bench-{tag}@example.com", password=None, full_name="Bench Member")
    Membership.objects.create(user=user, company=company, role=MembershipRole.OWNER)
    emails = Delivery.objects.filter(channel=Channel.EMAIL, recipient=user)

    def database_sessions() -> int | None:
        """Connections opened to the database so far (PostgreSQL's count; None on SQLite)."""
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    def run(count: int, rate: float) -> dict[int, float]:
        """Commits `count` notifications at `rate` per second; returns event id -> commit time."""
        committed: dict[int, float] = {}
        start = time.monotonic()
        for n in range(count):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with transaction.atomic():
                event = notify(event="listing.decided", company=company, context={
                    "listing_id": n, "listing_title": f"Bench listing {n}", "decision_id": n,
                    "from_status": "pending_review", "to_status": "published", "reason": "",
                    "changes_reviewed": False, "applied_changes": False})
            committed[event.pk] = timezone.now().timestamp()
        return committed

    def wait_delivered(committed: dict[int, float], timeout: float = 600) -> dict[int, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = dict(emails.filter(event_id__in=committed, status=DeliveryStatus.SENT)
                        .values_list("event_id", "sent_at"))
            if len(rows) == len(committed):
                return {event_id: sent_at.timestamp() for event_id, sent_at in rows.items()}
            time.sleep(0.5)
        sys.exit(f"only {len(rows)} of {len(committed)} e-mails were delivered within {timeout}s")

    try:
        warm = run(20, 10)  # the worker is up and its connections are open
        wait_delivered(warm)
        sessions_before = database_sessions()
        worker_cpu_before, own_cpu_before = session_cpu_seconds(processes[0].pid), time.process_time()
        started = time.monotonic()
        committed = run(round(args.rate * args.seconds), args.rate)
        elapsed = time.monotonic() - started
        own_cpu = time.process_time() - own_cpu_before
        sent = wait_delivered(committed)
        worker_cpu = session_cpu_seconds(processes[0].pid) - worker_cpu_before
        sessions = database_sessions() - sessions_before if sessions_before is not None else None
        latencies = [(sent[event_id] - at) * 1000 for event_id, at in committed.items()]
        if embedded:
            import sqlite3

            stack = (f"SQLite {sqlite3.sqlite_version}, filesystem broker "
                     f"(polling every {settings.CELERY_BROKER_TRANSPORT_OPTIONS.get('polling_interval', 1.0)}s)")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                stack = f"PostgreSQL {cursor.fetchone()[0]}, Redis broker db {args.broker_db}"
        print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, {stack}; "
              f"1-minute load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        print(f"worker: prefork, concurrency {args.concurrency}; beat's relay every "
              f"{os.environ.get('NOTIFICATIONS_RELAY_INTERVAL_SECONDS', '5')}s")
        print(f"notifications: {len(committed)} committed in {elapsed:.1f}s ({len(committed) / elapsed:.1f}/s), "
              f"each one e-mail and one in-app row; outbox rows now {Delivery.objects.count()}")
        first, last = min(committed.values()), max(sent.values())
        print(f"delivered: {len(sent)} e-mails from the first commit to the last send in {last - first:.1f}s "
              f"({len(sent) / (last - first):.1f}/s)")
        print(f"CPU per notification, ms: {own_cpu * 1000 / len(committed):.1f} in the committing process "
              f"(notify() and its transaction, the after-commit publish), "
              f"{worker_cpu * 1000 / len(committed):.1f} in the worker (all its processes)")
        print(f"commit-to-delivered (e-mail handed to the mail backend), ms: "
              f"p50 {percentile(latencies, 0.50):.0f}  p95 {percentile(latencies, 0.95):.0f}  "
              f"p99 {percentile(latencies, 0.99):.0f}  max {max(latencies):.0f}  "
              f"mean {statistics.fmean(latencies):.0f}")
        print("in-app: delivered by the commit itself (latency 0)")
        if sessions is not None:
            print(f"database connections opened during the run (all clients of the database): {sessions}")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
        broker_flush()
        shutil.rmtree(mail_dir, ignore_errors=True)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
