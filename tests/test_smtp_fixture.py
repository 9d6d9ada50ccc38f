"""The tests' SMTP server is real: Django's mail framework delivers to it over a socket."""

from django.core.mail import EmailMultiAlternatives


def test_mail_reaches_the_loopback_smtp_server(smtp_server):
    mailbox, _ = smtp_server
    message = EmailMultiAlternatives("Subject é", "Body 北京", "desk@example.org", ["target@example.org"])
    message.attach_alternative("<p>Body 北京</p>", "text/html")
    assert message.send() == 1
    [received] = mailbox.wait_for(1)
    assert received["Subject"] == "Subject é"
    assert received.envelope_recipients == ["target@example.org"]
    assert "北京" in received.get_body(("plain",)).get_content()
