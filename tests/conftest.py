"""Fixtures shared by the whole suite: the seed action, staff users, a worker's environment, a real
SMTP server and the web server on loopback."""

import asyncio
import contextlib
import datetime
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine

# Django is imported inside the fixtures: the parser's tests run without it (-p no:django).

SEED_DEADLINE = datetime.date(2022, 9, 23)


def at(day: datetime.date, hour: int = 12):
    """Freezes the clock at noon UTC of a day."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def seed_action(db):
    """The seed UA published as the document stands, deadline 23 September 2022, on 1 September 2022."""
    from uadesk.ingest.demo import demo_load

    with at(datetime.date(2022, 9, 1)):
        action, _ = demo_load(reopen=False)
    return action


@pytest.fixture
def open_action(seed_action):
    """The seed UA, published and open for ten more days."""
    from django.utils import timezone

    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=10)
    seed_action.save()
    return seed_action


@pytest.fixture
def petition(db):
    from uadesk.actions.models import Campaign
    from uadesk.petitions.models import Petition

    campaign = Campaign.objects.create(name="Free them all", slug="free-them-all")
    return Petition.objects.create(
        campaign=campaign,
        slug="release-ilham",
        title="Release Ilham Tohti",
        text="We ask for his release.",
        goal=10,
    )


def confirm_links(messages) -> list[str]:
    """The confirmation links in petition emails."""
    links = []
    for message in messages:
        text = message.get_body(("plain",)).get_content()
        # The path with its language: the link opens in the language the supporter signed in.
        links += re.findall(r"((?:/[\w-]+)?/petitions/confirm/[^/\s]+/)", text)
    return links


def desk_callbacks(callbacks) -> list:
    """The work a test's commit queued, without the lost-connection guard's own bookkeeping (it notes
    each commit of a request, uadesk/database.py: RequestWrites) and the page cache's (a change to what
    the public pages show starts a new generation of them, uadesk/pagecache.py)."""
    from uadesk import pagecache
    from uadesk.database import RequestWrites

    return [
        c
        for c in callbacks
        if not isinstance(getattr(c, "__self__", None), RequestWrites) and c is not pagecache._new_generation
    ]


def totp_code(device, at: datetime.datetime) -> str:
    """The code the staff member's authenticator app shows at that moment."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def staff_login(client, user):
    """Signs a staff member in as the staff desk requires: password and a verified second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test phone", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="a long staff password", is_staff=True)
    user.is_superuser = True
    user.save()
    return staff_login(client, user)


@pytest.fixture
def process_env():
    """The environment for a `uadesk` subprocess that must use this test's database."""
    from django.db import connection

    env = dict(os.environ)
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(settings_dict["NAME"])
    else:
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        user = settings_dict["USER"] or ""
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"
    return env


@pytest.fixture
def uadesk_bin() -> str:
    return str(Path(sys.executable).with_name("uadesk"))


@pytest.fixture
def worker_env(process_env, smtp_server):
    """A task worker's environment: mail to the tests' SMTP server, short leases and retries."""
    _, port = smtp_server
    return process_env | {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DELIVERY_LEASE_SECONDS": "2",
        "APPEAL_RETRY_BASE_SECONDS": "0",
        "APPEAL_MAX_ATTEMPTS": "3",
    }


def pytest_configure(config):
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        # Strong hashing is the point in production and only slows the suite down.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Mailbox:
    """What a real SMTP server on loopback received, as parsed messages."""

    def __init__(self):
        self.messages = []
        # Recipients to refuse, with the reply to give: {"gone@example.org": "550 No such user"}.
        self.refuse: dict[str, str] = {}
        # Recipients to refuse once only, then accept, as a server that is briefly unwell.
        self.refuse_once: dict[str, str] = {}
        self.refused: list[str] = []  # every recipient refused, in order

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if reply := self.refuse_once.pop(address, None) or self.refuse.get(address):
            self.refused.append(address)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        message.envelope_sender = envelope.mail_from
        message.raw = envelope.content  # as it came over the wire, before any decoding
        message.peer = session.peer  # one peer per SMTP connection
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30):
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class StallOnce:
    """Holds the SMTP reply to one message until released; if the sender is gone by then, the message
    is not accepted, as SMTP has it: a server takes responsibility only by answering 250.

    Install it before the sender connects (a connection keeps the handler it met); `armed` cleared
    lets messages pass until it is set. `port` is the server port the stalled message came in on."""

    def __init__(self, mailbox, stall_on: str, *, armed: bool = True):
        self.mailbox, self.stall_on = mailbox, stall_on
        self.stalled, self.release, self.armed = threading.Event(), threading.Event(), threading.Event()
        if armed:
            self.armed.set()
        self.dropped, self.port = 0, None
        self.original = mailbox.handle_DATA
        mailbox.handle_DATA = self.handle_DATA

    async def handle_DATA(self, server, session, envelope):
        if self.armed.is_set() and self.stall_on.encode() in envelope.content and not self.stalled.is_set():
            self.port = server.transport.get_extra_info("sockname")[1]
            self.stalled.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                # aiosmtpd cancels the handler when the connection drops: the message is not accepted.
                self.dropped += 1
                raise
            if server.transport is None or server.transport.is_closing():
                self.dropped += 1
                return "451 sender vanished"
        return await self.original(server, session, envelope)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port; Django's default mailer points at it.

    Yields (mailbox, port): a subprocess (the task worker) reaches it with EMAIL_HOST/EMAIL_PORT.
    """
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command otherwise
    port = free_port()
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    # The outbox's runner keeps one SMTP connection per process: a test's runs open theirs to this server.
    from uadesk.delivery.email import shared_transport_reset

    shared_transport_reset()
    try:
        yield mailbox, port
    finally:
        shared_transport_reset()
        controller.stop()


@pytest.fixture(autouse=True)
def english_by_default(request):
    """Each test starts in the default language: a page in Arabic must not leave reverse() in Arabic."""
    if request.config.pluginmanager.hasplugin("django"):
        from django.utils import translation

        translation.activate("en")
    yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Answer:
    status: int
    body: bytes
    headers: http.client.HTTPMessage


def request(
    method: str, port: int, path: str, form: dict | None = None, headers: dict | None = None
) -> Answer:
    """One HTTP request to the desk on loopback, on a connection of its own, as a browser's first visit."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = urllib.parse.urlencode(form, doseq=True) if form else None
        headers = dict(headers or {})
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.read(), response.headers)
    finally:
        conn.close()


@contextlib.contextmanager
def web_server(args: list[str], env: dict, port: int, *, output=None):
    """The desk served by `args` (a web server command) on a loopback port, once /health/ answers;
    its log on failure. `output`, a file open for writing, takes everything the server prints."""
    log = output or tempfile.TemporaryFile()  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(args, env=env, stdout=output or subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request("GET", port, "/health/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    log.seek(0)
                    pytest.fail(log.read().decode()[-2000:])
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        if output is None:
            log.close()


@pytest.fixture(autouse=True)
def fresh_cache(request, monkeypatch):
    """Each test starts with no rate-limit counts, as a new web process would (they are kept in memory
    between flushes), and tests with real commits with an empty cache (a cached petition count)."""
    from uadesk import pagecache, ratelimit

    monkeypatch.setattr(ratelimit, "counter", ratelimit.Counter())
    # The generation read in the last test, whose cache was rolled back or emptied, is not trusted.
    monkeypatch.setattr(pagecache, "_read", None)
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        from django.core.cache import cache

        request.getfixturevalue("transactional_db")
        cache.clear()
