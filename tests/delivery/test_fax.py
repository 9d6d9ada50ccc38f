"""Fax numbers in E.164, and the email-to-fax gateway against a real SMTP server."""

import pytest

from uadesk.delivery.email import EmailTransport
from uadesk.delivery.fax import EmailToFaxGateway, fax_number_e164
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
            letter, number="+86 10 6238 1025"
        )
    [message] = mailbox.wait_for(1)
    assert message.envelope_recipients == ["861062381025@fax.example.net"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


def test_the_gateway_needs_a_pdf():
    gateway = EmailToFaxGateway(gateway_domain="fax.example.net")
    with pytest.raises(TransportError) as error:
        gateway.send(OutgoingLetter(subject="s", text="t"), number="+861062381025")
    assert error.value.permanent
