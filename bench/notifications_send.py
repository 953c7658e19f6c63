"""CPU and statements of one e-mail send in the worker's code, without Celery.

Question: what does `delivery_send` cost for one e-mail (claim, render, hand-over to the mail
backend, record), and what are its top costs? It commits `--count` notifications of the kind
bench/notifications.py sends (one e-mail each), then runs `delivery_send` for each in this process
(DEBUG off, file mail backend in a temporary directory) and prints the statements per send and the
CPU per send; with `--profile`, the top functions of a cProfile run over the same sends. The
messages notify() publishes go to a Redis database of the script's own, emptied at the end.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench REDIS_URL=redis://127.0.0.1:6379/1
    .venv/bin/python bench/notifications_send.py [--count 300] [--broker-db 13] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="e-mails to send (1 to 10,000)")
    parser.add_argument("--broker-db", type=int, default=13, help="Redis database for the published messages")
    parser.add_argument("--profile", action="store_true", help="print the top functions of a cProfile run")
    args = parser.parse_args()
    if not 1 <= args.count <= 10_000:
        sys.exit("--count must be within 1 and 10,000")
    redis_url = os.environ.get("REDIS_URL", "")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not redis_url.startswith("redis"):
        sys.exit("Set DATABASE_URL to PostgreSQL and REDIS_URL to Redis (see bench/README.md).")
    broker_url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{args.broker_db}"))
    os.environ["CELERY_BROKER_URL"] = broker_url
    mail_dir = Path(tempfile.mkdtemp(prefix="bench-notifications-send-"))
    os.environ["EMAIL_BACKEND"] = "core.emails.FileEmailBackend"
    os.environ["EMAIL_FILE_PATH"] = str(mail_dir)

    import django

    django.setup()
    import redis
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Company, Membership, MembershipRole, User, VerificationStatus
    from notifications import relay
    from notifications.models import Channel, Delivery
    from notifications.services import notify

    tag = uuid.uuid4().hex[:8]
    company = Company.objects.create(legal_name=f"Bench Send {tag}", country="TR", registration_number=f"SEND-{tag}",
                                     address="Bench street 1", default_currency="TRY", kind="seller",
                                     verification_status=VerificationStatus.VERIFIED)
    user = User.objects.create_user(email=f"bench-send-{tag}@example.com", password=None, full_name="Bench Member")
    Membership.objects.create(user=user, company=company, role=MembershipRole.OWNER)
    try:
        warm = 5
        for n in range(args.count + warm + 1):
            with transaction.atomic():
                notify(event="listing.decided", company=company, context={
                    "listing_id": n, "listing_title": f"Bench listing {n}", "decision_id": n,
                    "from_status": "pending_review", "to_status": "published", "reason": "",
                    "changes_reviewed": False, "applied_changes": False})
        ids = list(Delivery.objects.filter(recipient=user, channel=Channel.EMAIL).order_by("pk")
                   .values_list("pk", flat=True))
        for delivery_id in ids[:warm]:  # templates loaded, connection open
            relay.delivery_send(delivery_id=delivery_id)
        with CaptureQueriesContext(connection) as queries:
            relay.delivery_send(delivery_id=ids[warm])
        measured = ids[warm + 1:]
        profile = cProfile.Profile()
        load_before, started = os.getloadavg()[0], time.process_time()
        if args.profile:
            profile.enable()
        for delivery_id in measured:
            relay.delivery_send(delivery_id=delivery_id)
        profile.disable()
        cpu_ms = (time.process_time() - started) * 1000 / len(measured)
        print(f"1-minute load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        print(f"statements per e-mail: {len(queries.captured_queries)}")
        for query in queries.captured_queries:
            print(f"  {query['sql'][:110]}")
        print(f"CPU per e-mail, ms: {cpu_ms:.1f} over {len(measured)} sends"
              f"{' (profiled: the profiler adds its own)' if args.profile else ''}")
        if args.profile:
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    finally:
        redis.Redis.from_url(broker_url).flushdb()
        shutil.rmtree(mail_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
