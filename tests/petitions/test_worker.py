"""The real task worker turns waiting forms into signatures and mails each signer once."""

import subprocess

import pytest

from tests.conftest import confirm_links
from uadesk.petitions.models import Signature, Submission
from uadesk.petitions.tasks import submissions_drain

from .conftest import sign

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_the_worker_takes_the_queue_and_sends_one_confirmation_each(
    client, petition, settings, process_env, uadesk_bin, smtp_server
):
    settings.PETITION_POW_MAX_NUMBER = 500
    mailbox, port = smtp_server
    for n in range(3):
        assert sign(client, petition, email=f"w{n}@example.org", name=f"Worker {n}").status_code == 302
    sign(client, petition, email="W0@Example.org", name="worker 0")  # the first again
    submissions_drain.enqueue()
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--interval=0.05"],
        env=process_env | {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)},
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr.decode()[-3000:]
    assert not Submission.objects.filter(taken_at__isnull=True).exists()
    assert Signature.objects.count() == 3
    messages = mailbox.wait_for(3)
    assert sorted(m["To"] for m in messages) == ["w0@example.org", "w1@example.org", "w2@example.org"]
    assert len(confirm_links(messages)) == 3
