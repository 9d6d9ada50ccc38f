"""A letter that comes back marks its appeal bounced and its target's email failing; then: post or fax."""

import datetime
import subprocess
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import at
from uadesk.appeals.bounces import bounce_address, bounced_appeal
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit

OPEN_DAY = datetime.date(2022, 9, 1)

DSN = """\
From: MAILER-DAEMON@mx.example.cn
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.cn

Final-Recipient: rfc822; english@mail.gov.cn
Action: failed
Status: {status}
--b--
"""


@pytest.fixture
def bounce_domain(settings):
    settings.BOUNCE_DOMAIN = "bounces.section.example"


def sent_appeal(action):
    xi = action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        [appeal] = appeal_submit(
            action=action, targets=[xi], channel="email", language="en", subject="s",
            letters={xi.pk: "Release them."}, writer=Writer(name="Ada"), key=uuid.uuid4(),
        )  # fmt: skip
    Appeal.objects.filter(pk=appeal.pk).update(status="sent", sent_at=timezone.now())
    return appeal


def test_each_letter_has_its_own_signed_bounce_address(bounce_domain, settings):
    assert bounce_address(7) != bounce_address(8)
    assert bounce_address(7).endswith("@bounces.section.example")
    raw = DSN.format(to=bounce_address(7), status="5.1.1").encode()
    assert bounced_appeal(raw) == (7, True)
    assert bounced_appeal(DSN.format(to=bounce_address(7), status="4.4.1").encode()) == (7, False)
    forged = bounce_address(7).replace("bounces+7-", "bounces+8-")
    assert bounced_appeal(DSN.format(to=forged, status="5.1.1").encode()) is None


def test_the_email_goes_out_with_the_bounce_address_as_envelope_sender(
    bounce_domain, smtp_server, db, seed_action
):
    from uadesk.delivery.email import EmailTransport

    mailbox, _ = smtp_server
    appeal = sent_appeal(seed_action)
    with EmailTransport(from_email="Appeals <appeals@section.example>") as transport:
        transport.send(appeal.outgoing_letter(), to="english@mail.gov.cn")
    [message] = mailbox.wait_for(1)
    assert message.envelope_sender == bounce_address(appeal.pk)
    assert message["From"] == "Appeals <appeals@section.example>"


@pytest.mark.django_db(transaction=True)
def test_a_bounce_piped_to_the_command_marks_the_appeal_and_the_target(
    bounce_domain, seed_action, uadesk_bin, process_env, client
):
    appeal = sent_appeal(seed_action)
    env = process_env | {"BOUNCE_DOMAIN": "bounces.section.example"}
    raw = DSN.format(to=bounce_address(appeal.pk), status="5.1.1").encode()
    result = subprocess.run([uadesk_bin, "bounce"], input=raw, env=env, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert b"bounced" in result.stdout
    appeal.refresh_from_db()
    assert appeal.status == "bounced" and not appeal.is_counted()
    xi = appeal.target
    xi.refresh_from_db()
    assert xi.email_failing_since is not None

    # The supporter is now sent to fax or post for this target.
    with at(OPEN_DAY):
        response = client.post(
            reverse("appeals:compose", kwargs={"slug": seed_action.slug}),
            {"key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "email",
             "body": "Release them.", "name": "Ada", "step": "send"},
        )  # fmt: skip
        page = client.get(seed_action.get_absolute_url()).content.decode()
    assert "come back: choose fax or post for them." in response.content.decode()
    assert "letters come back: please write by fax or post" in page


@pytest.mark.django_db(transaction=True)
def test_mail_that_is_not_ours_is_ignored_quietly_and_empty_input_is_an_error(uadesk_bin, process_env):
    other = subprocess.run(
        [uadesk_bin, "bounce"], input=b"Subject: hello\n\nhi", env=process_env, capture_output=True
    )
    assert (other.returncode, other.stdout.strip()) == (0, b"not a bounce of a uadesk letter; ignored")
    empty = subprocess.run([uadesk_bin, "bounce"], input=b"", env=process_env, capture_output=True)
    assert empty.returncode == 2
    assert empty.stderr.decode().strip() == "CommandError: no message on standard input"
