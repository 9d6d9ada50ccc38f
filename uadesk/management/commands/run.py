"""`uadesk run`: migrate, load the demo, make a staff account, then serve the desk and run the task worker."""

import os
import secrets
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from uadesk.numbers import parse_int
from uadesk.staff.services import enrolment_issue

STAFF_USERNAME = "staff"


def web_server_args(
    host: str, port: str | int, *, app: str = "uadesk.wsgi:application", workers: int | None = None
) -> list[str]:
    """The web server as the desk runs it in production; the tests and benchmarks serve it just so.

    One process per core it may use: on one core a second process only takes turns with the first
    (signing on PostgreSQL: 1,174 a second with one process, 887 with two, 899 with three)."""
    workers = workers or web_workers()
    return [
        os.path.join(os.path.dirname(sys.executable), "granian"),
        "--interface=wsgi",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        "--blocking-threads=4",
        "--no-ws",
        # No access log: it would keep every supporter's address, and the paths of
        # their data pages, which are links that open them.
        "--no-access-log",
        "--log-level=warning",
        "--respawn-failed-workers",
        "--workers-kill-timeout=5",
        app,
    ]


def web_workers() -> int:
    """WEB_WORKERS, or one process per core this process may use."""
    value = os.environ.get("WEB_WORKERS", "")
    if not value:
        return usable_cores()
    if not (workers := parse_int(value, max_digits=4)):
        raise CommandError(f"WEB_WORKERS must be a number of processes, not {value!r}", returncode=2)
    return workers


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_args() -> list[str]:
    return [os.path.join(os.path.dirname(sys.executable), "uadesk"), "worker", "--interval=1"]


class Command(BaseCommand):
    help = "Sets up the database, then runs the web server, task worker and scheduler; Ctrl-C stops them."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo action.")

    def handle(self, *args, no_demo: bool = False, **options):
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        if not 0 < (parse_int(port, max_digits=5) or 0) < 65536:
            raise CommandError(f"PORT must be a port number, not {port!r}", returncode=2)
        workers = web_workers()  # refused here, before anything is set up, if it is no number
        shown_host = f"[{host}]" if ":" in host else host
        self.set_up(demo=not no_demo, base_url=f"http://{shown_host}:{port}")

        bin_dir = os.path.dirname(sys.executable)
        processes = {
            "web server": subprocess.Popen(web_server_args(host, port, workers=workers)),
            "task worker": subprocess.Popen(worker_args()),
            "scheduler": subprocess.Popen(
                [os.path.join(bin_dir, "uadesk"), "scheduler"], stdout=subprocess.DEVNULL
            ),
        }
        self.stdout.write(self.style.SUCCESS(f"uadesk is running: open http://{shown_host}:{port}/"))
        self.stdout.write(
            f"Staff desk: http://{shown_host}:{port}/staff/ · Ctrl-C stops the server, worker and scheduler."
        )
        self.supervise(processes)

    def set_up(self, *, demo: bool, base_url: str) -> None:
        """The database, in production the static files, the demo action and the staff account."""
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        self.stdout.write("Database ready.")
        if settings.PRODUCTION:
            # Production serves the collected files by their hashed names, from a manifest: without
            # it every page that links a stylesheet answers 500.
            call_command("collectstatic", interactive=False, verbosity=0)
        if demo:
            call_command("demo", stdout=self.stdout)
        self.ensure_staff_account(base_url)

    def ensure_staff_account(self, base_url: str) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"Staff account exists (its password was printed at the first start; "
                f"`uadesk changepassword {STAFF_USERNAME}` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = users.objects.create_superuser(STAFF_USERNAME, email="", password=password)
        # Nobody is there yet to issue the first administrator's second factor: the link is printed.
        link = f"{base_url}{enrolment_issue(user)}"
        self.stdout.write(
            self.style.WARNING(
                f"Created the staff account “{STAFF_USERNAME}” with password {password} "
                "(shown this once: keep it now). Sign in, then open this link once to set up a second "
                f"factor with an authenticator app: {link}"
            )
        )

    def supervise(self, processes: dict[str, subprocess.Popen]) -> None:
        """Waits until Ctrl-C or until one process ends, then stops the others."""
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        failed = None
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    failed = name
                    stopping = True
            time.sleep(0.2)
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if failed:
            raise CommandError(
                f"The {failed} stopped unexpectedly; the desk is stopped. See the lines above."
            )
        self.stdout.write("Stopped the web server, the task worker and the scheduler.")
