"""Fixtures for petitions: signing through the page, and tasks run where they are queued."""

import re

import pytest

from uadesk.delivery.email import shared_transport_reset
from uadesk.petitions import pow


@pytest.fixture(autouse=True)
def fresh_petitions():
    """The signing view keeps a petition a second per process; each test starts without."""
    from uadesk.petitions import views

    views._recent.clear()


@pytest.fixture
def immediate_tasks(settings, smtp_server):
    """Tasks run where they are queued, and mail goes to the loopback SMTP server."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    shared_transport_reset()
    yield smtp_server[0]
    shared_transport_reset()


def form_data(client, petition, **fields) -> dict:
    """The signing page's form as a browser with JavaScript would send it: challenge solved."""
    page = client.get(petition.get_absolute_url())
    token = re.search(r'name="challenge" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "name": "Ada Lovelace", "email": "ada@example.org", "country": "GB", "challenge": token,
        "work": str(pow.solve(token)), "website": "",
    }  # fmt: skip
    return data | fields


def sign(client, petition, **fields):
    return client.post(petition.get_absolute_url(), form_data(client, petition, **fields))


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    """Takes the waiting forms, and runs what their commit queues (the outbox's run) as the worker would."""
    from uadesk.petitions.services import submissions_process

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return submissions_process()

    return run
