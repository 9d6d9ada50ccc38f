"""Figure: the staff dashboard of an action with 100,000 appeals, against tallying the same counts in Python.

The dashboard counts by aggregate queries (per day, channel, target, language, country, waiting
and failed). The baseline reads the same appeals' fields into Python and tallies them there, as a
loop over rows would. Both run in one process on the same database, alternating in rounds; medians.
With no argument it runs on SQLite, then on PostgreSQL (database uadesk_bench on 127.0.0.1, made
if missing). The staff member signs in as a new one does: password, then the authenticator an
administrator issued them, set up with its first code.
--quick (tests/test_bench.py): SQLite only, 2,000 appeals, 2 rounds: that it runs, not how fast.
Run: .venv/bin/python -P bench/dashboard.py [--quick] [sqlite|postgres] [APPEALS]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
QUICK = "--quick" in sys.argv
ARGS = [arg for arg in sys.argv[1:] if arg != "--quick"]
APPEALS = int(ARGS[1]) if len(ARGS) > 1 else 2_000 if QUICK else 100_000
ROUNDS = 2 if QUICK else 5
PG = "postgres://postgres@127.0.0.1:5432/uadesk_bench"


def run(database: str) -> None:
    os.environ["UADESK_DATA_DIR"] = tempfile.mkdtemp(prefix="uadesk-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "uadesk.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("SQLITE_PATH", None)  # never a database given to another process (a test's)
    if database == "postgres":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS uadesk_bench")
            connection.execute("CREATE DATABASE uadesk_bench")
        os.environ["DATABASE_URL"] = PG
    else:
        os.environ.pop("DATABASE_URL", None)

    import datetime
    import uuid

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from uadesk.appeals.models import Appeal
    from uadesk.ingest.demo import demo_load
    from uadesk.staff.services import enrolment_issue

    call_command("migrate", verbosity=0)
    action, _ = demo_load()
    targets = list(action.targets.all())
    statuses = ["sent"] * 8 + ["posted", "sent_by_supporter", "queued", "failed"]
    channels = ["email", "email", "post", "mailto"]
    start_day = timezone.now() - datetime.timedelta(days=120)
    rows = [
        Appeal(
            submission=uuid.uuid4(),
            action=action,
            target=targets[n % len(targets)],
            # Only the desk's own channels queue letters (a constraint of Appeal).
            channel="email" if statuses[n % len(statuses)] == "queued" else channels[n % 4],
            status=statuses[n % len(statuses)],
            language=["en", "zh", ""][n % 3],
            supporter_country=["FR", "DE", "US", "BR", ""][n % 5],
            subject="s",
            body="b",
            supporter_name="",
            last_error="refused by the mail server: [550]" if statuses[n % len(statuses)] == "failed" else "",
        )  # fmt: skip
        for n in range(APPEALS)
    ]
    Appeal.objects.bulk_create(rows, batch_size=5000)
    # Spread over 120 days: one UPDATE per day's share, not one per row.
    ids = list(Appeal.objects.order_by("pk").values_list("pk", flat=True))
    share = len(ids) // 120 + 1
    for day in range(120):
        chunk = ids[day * share : (day + 1) * share]
        if chunk:
            Appeal.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).update(
                created_at=start_day + datetime.timedelta(days=day)
            )
    if database == "postgres":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    password = "a long bench password"
    staff = User.objects.create_superuser("bench", password=password)
    client = Client(HTTP_HOST="127.0.0.1")
    # The staff desk wants a verified second factor: sign in with the password alone (no device yet),
    # then set up the authenticator an administrator issued, which verifies the session.
    signed_in = client.post(reverse("admin:login"), {"username": "bench", "password": password})
    assert signed_in.status_code == 302, signed_in.status_code
    setup = enrolment_issue(staff)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    enrolled = client.post(setup, {"token": f"{code:06d}"})
    device.refresh_from_db()
    assert enrolled.status_code == 302 and device.confirmed, enrolled.status_code
    url = f"/staff/reports/{action.slug}/"

    def dashboard() -> float:
        begin = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - begin

    def python_tally() -> float:
        begin = time.perf_counter()
        tallies = [Counter() for _ in range(6)]
        for row in Appeal.objects.filter(action=action).values_list(
            "created_at", "channel", "target__name", "language", "supporter_country", "status"
        ):
            for tally, value in zip(tallies, (row[0].date(), *row[1:]), strict=True):
                tally[value] += 1
        return time.perf_counter() - begin

    dashboard()
    page, loop = [], []
    for _ in range(ROUNDS):
        loop.append(python_tally())
        page.append(dashboard())
    page_s, loop_s = statistics.median(page), statistics.median(loop)
    print(f"database: {database}")
    print(f"appeals: {Appeal.objects.count()}")
    print(f"dashboard_seconds: {page_s:.3f}")
    print(f"baseline_python_tally_seconds: {loop_s:.3f}")
    print(f"python_tally_vs_dashboard: {loop_s / page_s:.2f}")


if __name__ == "__main__":
    if ARGS:
        run(ARGS[0])
    elif QUICK:
        run("sqlite")
    else:
        for database in ("sqlite", "postgres"):
            subprocess.run([sys.executable, "-P", __file__, database, str(APPEALS)], check=True)
