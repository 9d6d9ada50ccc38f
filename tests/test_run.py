"""`uadesk run` sets the desk up, serves it with a worker beside it, stops on Ctrl-C and keeps the data."""

import os
import queue
import re
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


class Desk:
    """A `uadesk run` process whose output is read line by line."""

    def __init__(self, uadesk_bin, env):
        self.process = subprocess.Popen(
            [uadesk_bin, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "".join(self.output)
                continue
            self.output.append(line)
            if text in line:
                return
        raise AssertionError(f"no {text!r} in:\n{''.join(self.output)}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return code


def get(url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (the test's own http URL)
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def worker_finished_a_task(database: Path, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(database)) as db:
            done = db.execute(
                "select count(*) from django_tasks_database_dbtaskresult where status='SUCCESSFUL'"
            )
            if done.fetchone()[0]:
                return True
        time.sleep(0.3)
    return False


@pytest.fixture
def desk_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    return env | {
        "UADESK_DATA_DIR": str(tmp_path),
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "WEB_WORKERS": "1",
    }


def test_run_serves_the_demo_with_a_worker_and_keeps_data_across_restarts(uadesk_bin, desk_env, tmp_path):
    port = desk_env["PORT"]
    desk = Desk(uadesk_bin, desk_env)
    desk.wait_for(f"uadesk is running: open http://127.0.0.1:{port}/")
    html = get(f"http://127.0.0.1:{port}/")
    assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html
    # The worker took the start-up task off the queue.
    assert worker_finished_a_task(tmp_path / "uadesk.sqlite3")
    assert desk.stop() == 0
    first = "".join(desk.output)
    password = re.search(r"Created the staff account “staff” with password (\S+)", first)
    assert password, first
    # Nobody can issue the first administrator's second factor yet: its set-up link is printed too.
    assert re.search(rf"http://127\.0\.0\.1:{port}/staff/two-factor/\S+/", first), first
    assert "Stopped the web server, the task worker and the scheduler." in first

    desk = Desk(uadesk_bin, desk_env)
    desk.wait_for("uadesk is running")
    get(f"http://127.0.0.1:{port}/")
    assert desk.stop() == 0
    second = "".join(desk.output)
    assert "Already loaded: demo action" in second
    assert "Staff account exists" in second
    assert password.group(1) not in second
    with closing(sqlite3.connect(tmp_path / "uadesk.sqlite3")) as db:
        assert db.execute("select count(*) from actions_action").fetchone() == (1,)
        assert db.execute("select count(*) from auth_user").fetchone() == (1,)


def test_the_links_in_emails_of_a_desk_run_as_the_readme_says_open_on_that_desk(
    uadesk_bin, desk_env, smtp_server
):
    """No SITE_URL, as `make run` starts it: a supporter's confirmation links, of a letter and of a
    petition's signature, must still be whole addresses of this desk, not bare paths that open nothing
    in a mail app."""
    mailbox, smtp_port = smtp_server
    port = desk_env["PORT"]
    env = {k: v for k, v in desk_env.items() if k != "SITE_URL"} | {"EMAIL_PORT": str(smtp_port)}
    desk = Desk(uadesk_bin, env)
    try:
        desk.wait_for("uadesk is running")
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        write = f"{base}/en/actions/missing-and-arbitrarily-detained-in-xinjiang/write/"
        get(write)  # once the web server answers
        form = opener.open(write, timeout=30).read().decode()
        field = dict(re.findall(r'name="(csrfmiddlewaretoken|key)" value="([^"]+)"', form))
        target = re.search(r'name="targets" value="(\d+)"', form).group(1)
        body = urllib.parse.urlencode(field | {
            "targets": target, "language": "en", "channel": "email", "step": "send",
            "body": "Please release them.\n\nYours sincerely,", "name": "Ana", "email": "ana@example.org",
        }).encode()  # fmt: skip
        request = urllib.request.Request(write, data=body, headers={"Origin": base, "Referer": write})  # noqa: S310
        assert opener.open(request, timeout=30).status == 200  # the sent page, after the redirect
        [message] = mailbox.wait_for(1, timeout=60)
        text = message.get_body(("plain",)).get_content()
        link = re.search(r"\S*/appeals/confirm/\S+/", text).group(0)
        assert link.startswith(f"{base}/en/"), text
        assert "Yes, these are my letters" in opener.open(link, timeout=30).read().decode()

        # A petition staff opened on this desk, signed as a browser without JavaScript signs it.
        petition = (
            "from uadesk.actions.models import Campaign; from uadesk.petitions.models import Petition; "
            "Petition.objects.create(campaign=Campaign.objects.create(name='Free them', slug='free-them'), "
            "slug='release-ilham', title='Release Ilham Tohti', text='We ask for his release.', goal=10)"
        )
        subprocess.run([uadesk_bin, "shell", "-c", petition], env=env, check=True, timeout=60)
        sign = f"{base}/en/petitions/release-ilham/"
        form = opener.open(sign, timeout=30).read().decode()
        challenge = re.search(r'name="challenge" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode({
            "name": "Ana Silva", "email": "ana@example.org", "country": "PT", "challenge": challenge,
            "work": "",
        }).encode()  # fmt: skip
        request = urllib.request.Request(sign, data=body, headers={"Origin": base, "Referer": sign})  # noqa: S310
        assert opener.open(request, timeout=30).status == 200  # the thank-you page, after the redirect
        messages = mailbox.wait_for(2, timeout=60)
        text = next(
            text for m in messages if "/petitions/confirm/" in (text := m.get_body(("plain",)).get_content())
        )
        link = re.search(r"\S*/petitions/confirm/\S+/", text).group(0)
        assert link.startswith(f"{base}/en/"), text
        with opener.open(link, timeout=30) as page:
            assert page.status == 200 and "Release Ilham Tohti" in page.read().decode()
    finally:
        desk.stop()


def test_run_refuses_a_bad_port_in_one_line(uadesk_bin, desk_env):
    result = subprocess.run(
        [uadesk_bin, "run"], env=desk_env | {"PORT": "eighty"}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "CommandError: PORT must be a port number, not 'eighty'"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reload"], "--reload: use `uadesk db_worker --reload` while developing"),
        (["--exclude-queues=mail"], "--exclude-queues can only be used with --queue-name=*"),
    ],
)
def test_the_worker_refuses_options_it_cannot_honour_in_one_line(uadesk_bin, desk_env, args, message):
    result = subprocess.run(
        [uadesk_bin, "worker", *args], env=desk_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"CommandError: {message}"


def test_setup_finds_a_python_of_312_or_newer():
    found = subprocess.run([ROOT / "scripts" / "find-python"], capture_output=True, text=True, check=True)
    version = subprocess.run(
        [found.stdout.strip(), "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert version.stdout.strip() == "True"


def test_setup_explains_when_no_python_is_found(tmp_path):
    if list(Path("/usr/bin").glob("python3.1[2-9]")) + list(Path("/usr/local/bin").glob("python3.1[2-9]")):
        pytest.skip("this machine has a system Python 3.12+, which the script rightly finds")
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path)}
    result = subprocess.run(
        ["/bin/sh", ROOT / "scripts" / "find-python"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "uadesk needs Python 3.12 or newer and found none" in result.stderr


def test_the_web_server_runs_a_process_per_usable_core_unless_told(monkeypatch):
    from uadesk.management.commands.run import web_server_args

    monkeypatch.delenv("WEB_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert "--workers=3" in web_server_args("127.0.0.1", 8000)
    monkeypatch.setenv("WEB_WORKERS", "5")
    assert "--workers=5" in web_server_args("127.0.0.1", 8000)
    assert "--workers=1" in web_server_args("127.0.0.1", 8000, workers=1)


def test_run_in_production_collects_the_static_files_before_serving(uadesk_bin, desk_env, tmp_path):
    env = desk_env | {
        "UADESK_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SUPPORTER_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://desk.example.org",
        "DEFAULT_FROM_EMAIL": "Urgent Actions <ua@example.org>",
        "SECURE_SSL_REDIRECT": "0",  # no TLS proxy in front of this test
    }
    desk = Desk(uadesk_bin, env)
    try:
        desk.wait_for("uadesk is running", timeout=120)
        # The page links its stylesheet by the hashed name the manifest gives: without the manifest, 500.
        html = get(f"http://127.0.0.1:{env['PORT']}/")
        assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html
        assert (tmp_path / "static" / "staticfiles.json").exists()
    finally:
        assert desk.stop() == 0, "".join(desk.output)
