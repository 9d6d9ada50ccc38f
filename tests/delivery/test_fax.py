"""Fax numbers in E.164, the email-to-fax gateway against a real SMTP server, and fax appeals delivered
by a real worker through the gateway."""

import datetime
import io
import subprocess
import uuid

import pytest
from django.utils import timezone
from pypdf import PdfReader

from uadesk.appeals.bounces import bounce_address
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.email import EmailTransport
from uadesk.delivery.fax import EmailToFaxGateway, fax_number_e164
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import runs_kick
from uadesk.delivery.transport import OutgoingLetter, TransportError


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        ("+86 10 6238 1025", None, "+861062381025"),
        ("+44 (0)20 7219 3000", None, "+442072193000"),
        ("00 33 1 42 92 81 00", "FR", "+33142928100"),
        ("01 42 92 81 00", "FR", "+33142928100"),
        ("(202) 456-1414", "US", "+12024561414"),
        ("+98-21-6640-2230", None, "+982166402230"),
    ],
)
def test_numbers_become_e164(written, region, e164):
    assert fax_number_e164(written, region=region) == e164


@pytest.mark.parametrize("written", ["call the embassy", "+86", ""])
def test_a_number_that_is_none_is_refused_for_good(written):
    with pytest.raises(TransportError) as error:
        fax_number_e164(written)
    assert error.value.permanent


def test_the_gateway_faxes_the_pdf_by_email(smtp_server):
    mailbox, _ = smtp_server
    pdf = b"%PDF-1.7 letter"
    letter = OutgoingLetter(
        subject="Appeal", text="See it attached", attachments=[("l.pdf", pdf, "application/pdf")]
    )
    with EmailTransport() as transport:
        EmailToFaxGateway(gateway_domain="fax.example.net", transport=transport).send(
            letter, to="+86 10 6238 1025"
        )
    [message] = mailbox.wait_for(1)
    assert message.envelope_recipients == ["861062381025@fax.example.net"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


def test_the_gateway_needs_a_pdf():
    gateway = EmailToFaxGateway(gateway_domain="fax.example.net")
    with pytest.raises(TransportError) as error:
        gateway.send(OutgoingLetter(subject="s", text="t"), to="+861062381025")
    assert error.value.permanent


def fax_appeals(action, count: int):
    """Fax letters to Xi Jinping from writers who gave no email, so they are queued at once."""
    xi = action.targets.get(name="Xi Jinping")
    appeals = []
    for n in range(count):
        appeals += appeal_submit(
            action=action, targets=[xi], channel="fax", language="en", subject=action.title,
            letters={xi.pk: f"Dear President Xi,\n\nRelease Ilham Tohti, says fax {n}.\n\nWriter {n}"},
            writer=Writer(name=f"Writer {n}"), key=uuid.uuid4(),
        )  # fmt: skip
    return appeals


def run_worker(uadesk_bin, env):
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--interval=0.1"], env=env, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr.decode()[-3000:]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_fax_goes_through_the_gateway_with_the_appeals_bounce_address_and_faxes_are_spaced(
    open_action, uadesk_bin, worker_env, smtp_server, settings
):
    mailbox, _ = smtp_server
    settings.BOUNCE_DOMAIN = "bounces.section.example"  # for the addresses this test expects
    env = worker_env | {
        "FAX_GATEWAY_DOMAIN": "fax.example.net",
        "BOUNCE_DOMAIN": "bounces.section.example",
        "FAX_MIN_SPACING_SECONDS": "600",
    }
    first, second = fax_appeals(open_action, 2)
    run_worker(uadesk_bin, env)

    # One fax went; the other to the same line waits out the spacing.
    [message] = mailbox.messages
    assert message.envelope_recipients == ["861062381025@fax.example.net"]
    # The gateway's failure report comes back to the appeal's own signed address.
    assert message.envelope_sender == bounce_address(first.pk)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages)
    assert "Release Ilham Tohti, says fax 0." in " ".join(text.split())
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("sent", "queued")
    assert second.delivery().next_attempt_at > first.delivery().sent_at

    # Due again before the spacing has passed since the first fax went: it still waits.
    Message.objects.filter(pk=second.delivery().pk).update(next_attempt_at=timezone.now())
    runs_kick()
    run_worker(uadesk_bin, env)
    assert len(mailbox.messages) == 1
    second.refresh_from_db()
    assert second.status == "queued" and second.delivery().next_attempt_at > first.delivery().sent_at

    # The spacing passes (the first fax moved back in time): the second goes on the next run.
    Message.objects.filter(pk=first.delivery().pk).update(
        sent_at=first.delivery().sent_at - datetime.timedelta(seconds=601)
    )
    Message.objects.filter(pk=second.delivery().pk).update(next_attempt_at=timezone.now())
    runs_kick()
    run_worker(uadesk_bin, env)
    assert len(mailbox.messages) == 2
    assert mailbox.messages[1].envelope_sender == bounce_address(second.pk)
    assert mailbox.messages[1].envelope_recipients == ["861062381025@fax.example.net"]
    second.refresh_from_db()
    assert second.status == "sent"


@pytest.mark.django_db
def test_a_fax_that_comes_back_marks_its_appeal_but_not_the_targets_email(open_action):
    from uadesk.appeals.bounces import Bounce, Kind
    from uadesk.appeals.services import appeal_bounced

    appeals = fax_appeals(open_action, 3)
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(status="sent", sent_at=timezone.now())
    # As many failed faxes as would switch an email off: the email stays.
    for appeal in appeals:
        recorded = appeal_bounced(bounce=Bounce(appeal.pk, Kind.PERMANENT, status="5.0.0"))
        assert recorded.what == "bounced" and not recorded.target_failing
    appeal = recorded.appeal
    assert appeal.status == "bounced"
    appeal.target.refresh_from_db()
    # Supporters are still offered email for this target: it was the fax line that failed.
    assert appeal.target.email_failing_since is None


def gateway_failure_report(to: str, number: str) -> bytes:
    """What an email-to-fax gateway's mail server sends back to the envelope sender when a fax could
    not be sent: a delivery status notification (RFC 3464) for the number's address at the gateway."""
    from email.message import Message as Headers
    from email.mime.base import MIMEBase
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Fax Gateway <MAILER-DAEMON@fax.example.net>"
    report["To"] = to
    report["Subject"] = f"Fax to +{number} failed: no answer"
    report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText(f"Your fax to +{number} could not be sent after 3 attempts: no answer.\n"))
    per_message, per_recipient = Headers(), Headers()
    per_message["Reporting-MTA"] = "dns; fax.example.net"
    per_recipient["Final-Recipient"] = f"rfc822; {number}@fax.example.net"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.4.0"
    per_recipient["Diagnostic-Code"] = "X-Fax; no answer after 3 attempts"
    delivery_status = MIMEBase("message", "delivery-status")
    delivery_status.set_payload([per_message, per_recipient])
    report.attach(delivery_status)
    return report.as_bytes()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_gateways_failure_reports_piped_to_uadesk_bounce_mark_the_faxes_and_not_the_targets_email(
    open_action, uadesk_bin, worker_env, smtp_server, settings
):
    from uadesk.appeals.models import TargetBounce

    mailbox, _ = smtp_server
    settings.FAX_MIN_SPACING_SECONDS = 0  # the faxes queued here go one after the other
    env = worker_env | {"FAX_GATEWAY_DOMAIN": "fax.example.net", "BOUNCE_DOMAIN": "bounces.section.example"}
    faxes = fax_appeals(open_action, settings.TARGET_BOUNCES_TO_FAIL)  # as many as would switch an email off
    run_worker(uadesk_bin, env)
    assert len(mailbox.messages) == len(faxes)
    # Each report goes to the envelope sender the gateway's mail server saw, into the real command.
    for message in mailbox.messages:
        [number] = [r.split("@")[0] for r in message.envelope_recipients]
        report = gateway_failure_report(message.envelope_sender, number)
        said = subprocess.run([uadesk_bin, "bounce"], input=report, env=env, capture_output=True, timeout=60)
        assert said.returncode == 0, said.stderr.decode()
        assert said.stdout.decode().strip().endswith("bounced (5.4.0)")
    xi = faxes[0].target
    for appeal in faxes:
        appeal.refresh_from_db()
        assert (appeal.channel, appeal.status) == ("fax", "bounced")
    xi.refresh_from_db()
    assert xi.email_failing_since is None
    assert not TargetBounce.objects.filter(target=xi).exists()
