"""The email channel against a real SMTP server on loopback."""

import socket

import pytest

from uadesk.delivery.email import EmailTransport
from uadesk.delivery.transport import OutgoingLetter, TransportError

LETTER = OutgoingLetter(
    subject="MISSING AND ARBITRARILY DETAINED IN XINJIANG",
    text="Dear President Xi Jinping,\n\nRelease them.\n\nYours sincerely,\nAda Lovelace, Lyon",
    html="<p>Dear President Xi Jinping,</p><p>Release them.</p>",
    reply_to="ada@example.org",
    message_id="<appeal-1@uadesk.test>",
)


def test_a_letter_arrives_with_both_parts_and_the_supporter_as_reply_to(smtp_server, settings):
    mailbox, _ = smtp_server
    settings.DEFAULT_FROM_EMAIL = "Appeals desk <appeals@section.example>"
    with EmailTransport() as transport:
        transport.send(LETTER, to="english@mail.gov.cn")
    [message] = mailbox.wait_for(1)
    assert message.envelope_recipients == ["english@mail.gov.cn"]
    assert message["From"] == "Appeals desk <appeals@section.example>"
    assert message["Reply-To"] == "ada@example.org"
    assert message["Message-ID"] == "<appeal-1@uadesk.test>"
    assert message["Subject"] == LETTER.subject
    assert "Ada Lovelace, Lyon" in message.get_body(("plain",)).get_content()
    assert "<p>Release them.</p>" in message.get_body(("html",)).get_content()


def test_one_connection_carries_many_letters(smtp_server):
    mailbox, _ = smtp_server
    with EmailTransport() as transport:
        for n in range(5):
            transport.send(
                OutgoingLetter(subject=f"Letter {n}", text="Release them."), to=f"t{n}@example.org"
            )
    messages = mailbox.wait_for(5)
    assert len(messages) == 5
    assert len({m.peer for m in messages}) == 1


def test_no_header_can_be_injected_through_the_subject(smtp_server):
    mailbox, _ = smtp_server
    letter = OutgoingLetter(subject="Release them\r\nBcc: everyone@example.org", text="x")
    with EmailTransport() as transport:
        transport.send(letter, to="target@example.org")
    [message] = mailbox.wait_for(1)
    assert message.envelope_recipients == ["target@example.org"]
    assert message["Bcc"] is None
    assert message["Subject"] == "Release them Bcc: everyone@example.org"


def test_a_long_unsubscribe_link_goes_as_it_is_for_a_mail_app_to_read(smtp_server):
    # A mail app reads List-Unsubscribe as <URL>s (RFC 2369, RFC 8058); folded into RFC 2047 encoded
    # words, as the email package does with a line this long, it is no address at all.
    mailbox, _ = smtp_server
    link = "https://desk.example.org/en/network/leave/" + "WzEyMzQ1LDY3ODkwXQ:1vQxYz:" * 4 + "/"
    with EmailTransport() as transport:
        transport.send(OutgoingLetter(subject="The case", text="x", unsubscribe_url=link), to="m@example.org")
    [message] = mailbox.wait_for(1)
    lines = message.raw.split(b"\r\n")
    assert f"List-Unsubscribe: <{link}>".encode() in lines
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert b"=?" not in message.raw.split(b"\r\n\r\n")[0]  # no encoded word in any header


def test_a_refused_recipient_is_a_permanent_error(smtp_server):
    mailbox, _ = smtp_server
    mailbox.refuse["gone@example.org"] = "550 5.1.1 No such user"
    with EmailTransport() as transport, pytest.raises(TransportError) as error:
        transport.send(LETTER, to="gone@example.org")
    assert error.value.permanent


def test_a_busy_recipient_is_a_temporary_error(smtp_server):
    mailbox, _ = smtp_server
    mailbox.refuse["full@example.org"] = "452 4.2.2 Mailbox full"
    with EmailTransport() as transport, pytest.raises(TransportError) as error:
        transport.send(LETTER, to="full@example.org")
    assert not error.value.permanent


def test_an_unreachable_server_is_a_temporary_error(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    settings.MAILERS = {"default": {"OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2}}}
    with EmailTransport() as transport, pytest.raises(TransportError) as error:
        transport.send(LETTER, to="x@example.org")
    assert not error.value.permanent
    assert "could not reach the mail server" in str(error.value)


def test_a_connection_dropped_while_idle_is_replaced_before_sending(smtp_server):
    mailbox, _ = smtp_server
    with EmailTransport() as transport:
        transport.send(OutgoingLetter(subject="First", text="x"), to="a@example.org")
        transport.connection.connection.sock.shutdown(socket.SHUT_RDWR)  # the line went dead meanwhile
        transport.last_used -= 3600
        transport.send(OutgoingLetter(subject="Second", text="x"), to="a@example.org")
    messages = mailbox.wait_for(2)
    assert [m["Subject"] for m in messages] == ["First", "Second"]
    assert len({m.peer for m in messages}) == 2
