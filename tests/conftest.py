"""Fixtures shared by the whole suite: the seed action, staff users, and a worker's environment."""

import datetime
import os
import sys
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

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        message.envelope_sender = envelope.mail_from
        message.peer = session.peer  # one peer per SMTP connection
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30):
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port; Django's default mailer points at it.

    Yields (mailbox, port): a subprocess (the task worker) reaches it with EMAIL_HOST/EMAIL_PORT.
    """
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def english_by_default(request):
    """Each test starts in the default language: a page in Arabic must not leave reverse() in Arabic."""
    if request.config.pluginmanager.hasplugin("django"):
        from django.utils import translation

        translation.activate("en")
    yield
