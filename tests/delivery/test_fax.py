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
