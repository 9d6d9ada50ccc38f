"""What comes back to a letter's bounce address: a report that it failed for good marks the appeal bounced,
and letters of several supporters failing within a few days mark the target's email failing (then: post
or fax); an out-of-office reply or a delay changes nothing; an old bounce address marks nothing."""

import contextlib
import datetime
import io
import subprocess
import sys
import uuid
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import at
from uadesk.appeals.bounces import bounce_address, bounced_appeal
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit

OPEN_DAY = datetime.date(2022, 9, 1)


def dsn(to: str, status: str, *, action: str = "", auto_submitted: bool = True) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one, Auto-Submitted header included
    unless told; its recipient's Action "failed" for a 5.x.x status, "delayed" otherwise, unless given."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.example.cn (Mail Delivery System)"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender" if status[0] == "5" else "Delayed Mail"
    if auto_submitted:
        report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText("This is the mail system at host mx.example.cn.\n"))
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = "dns; mx.example.cn"
    per_recipient["Final-Recipient"] = "rfc822; english@mail.gov.cn"
    per_recipient["Action"] = action or ("failed" if status[0] == "5" else "delayed")
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = f"smtp; 550 {status} <english@mail.gov.cn>: Recipient address rejected"
    delivery_status = MIMEBase("message", "delivery-status")
    delivery_status.set_payload([per_message, per_recipient])
    report.attach(delivery_status)
    original = MIMEText(
        "From: appeals@section.example\nTo: english@mail.gov.cn\nSubject: s\n", "rfc822-headers"
    )
    report.attach(original)
    return report.as_bytes()


def out_of_office(to: str, **headers: str) -> bytes:
    """An auto-reply as mail servers send them: RFC 3834's header unless others are given."""
    reply = MIMEText("I am out of the office until 12 September with limited access to email.")
    reply["From"] = "english@mail.gov.cn"
    reply["To"] = to
    for name, value in (headers or {"Subject": "Out of office", "Auto-Submitted": "auto-replied"}).items():
        reply[name.replace("_", "-")] = value
    return reply.as_bytes()


@pytest.fixture
def bounce_domain(settings):
    settings.BOUNCE_DOMAIN = "bounces.section.example"


def sent_appeal(action, day: datetime.date | None = None):
    """A letter to Xi Jinping that went out on this day (at noon UTC), or now; its own submission each."""
    xi = action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        [appeal] = appeal_submit(
            action=action, targets=[xi], channel="email", language="en", subject="s",
            letters={xi.pk: "Release them."}, writer=Writer(name="Ada"), key=uuid.uuid4(),
        )  # fmt: skip
    with at(day) if day else contextlib.nullcontext():
        Appeal.objects.filter(pk=appeal.pk).update(status="sent", sent_at=timezone.now())
    return appeal


def test_each_letter_has_its_own_signed_and_dated_bounce_address(bounce_domain):
    from uadesk.appeals.bounces import Kind

    day = datetime.date(2022, 9, 1)
    assert bounce_address(7, day=day) != bounce_address(8, day=day)
    assert bounce_address(7, day=day).startswith("bounces+7-20220901-")
    assert bounce_address(7, day=day).endswith("@bounces.section.example")
    bounce = bounced_appeal(dsn(bounce_address(7, day=day), "5.1.1"))
    assert (bounce.appeal_pk, bounce.kind, bounce.status, bounce.made_on) == (7, Kind.PERMANENT, "5.1.1", day)
    assert "@" not in bounce.diagnostic and "Recipient address rejected" in bounce.diagnostic
    assert bounced_appeal(dsn(bounce_address(7, day=day), "4.4.1")).kind == Kind.TEMPORARY
    forged = bounce_address(7, day=day).replace("bounces+7-", "bounces+8-")
    assert bounced_appeal(dsn(forged, "5.1.1")) is None
    # The day is signed too: a stranger cannot make an old address young again.
    redated = bounce_address(7, day=day).replace("-20220901-", "-20220905-")
    assert bounced_appeal(dsn(redated, "5.1.1")) is None


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


def pipe(raw: bytes, monkeypatch) -> str:
    """`uadesk bounce` in this process, the message on its standard input; what it printed."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("bounce", stdout=out)
    return out.getvalue().strip()


def bounce_of(appeal, status: str, day: datetime.date, monkeypatch, hour: int = 12) -> str:
    """A DSN for this letter, to the bounce address it went out with on `day`, received that day."""
    with at(day, hour):
        return pipe(dsn(bounce_address(appeal.pk), status), monkeypatch)


def states(appeal) -> tuple[str, bool]:
    """The appeal's status, and whether its target's email is marked failing."""
    appeal.refresh_from_db()
    appeal.target.refresh_from_db()
    return appeal.status, appeal.target.email_failing_since is not None


@pytest.mark.parametrize(
    "headers",
    [
        {"Subject": "Out of office", "Auto-Submitted": "auto-replied"},
        {"Subject": "Re: s", "Auto-Submitted": "auto-generated"},
        {"Subject": "Re: s", "X-Autoreply": "yes"},
        {"Subject": "Re: s", "X-Autorespond": "Out of office"},
        {"Subject": "Re: s", "Precedence": "auto_reply"},
        {"Subject": "Automatic reply: s"},
        {"Subject": "=?utf-8?b?6Ieq5Yqo5Zue5aSNOiBz?="},  # 自动回复: s
    ],
    ids=[
        "auto-replied",
        "auto-generated",
        "x-autoreply",
        "x-autorespond",
        "precedence",
        "subject",
        "chinese",
    ],
)
def test_an_out_of_office_reply_changes_nothing(bounce_domain, seed_action, monkeypatch, headers):
    day = datetime.date(2022, 9, 2)
    appeal = sent_appeal(seed_action, day)
    with at(day):
        said = pipe(out_of_office(bounce_address(appeal.pk), **headers), monkeypatch)
    assert said == f"appeal {appeal.pk}: an automatic reply (out of office); nothing changed"
    assert states(appeal) == ("sent", False)
    from uadesk.appeals.models import TargetBounce

    assert not TargetBounce.objects.exists()


def test_a_delay_report_4_4_1_changes_nothing(bounce_domain, seed_action, monkeypatch):
    day = datetime.date(2022, 9, 2)
    appeal = sent_appeal(seed_action, day)
    said = bounce_of(appeal, "4.4.1", day, monkeypatch)
    assert said == f"appeal {appeal.pk}: temporary delay reported; nothing changed"
    assert states(appeal) == ("sent", False)


def test_a_temporary_status_reported_as_failed_changes_nothing(bounce_domain, seed_action, monkeypatch):
    # Some servers say "Action: failed" for a 4.x.x (a full mailbox, a greylisting host) and send the
    # report without Auto-Submitted: the status decides, and it says the address may take mail again.
    from uadesk.appeals.models import TargetBounce

    day = datetime.date(2022, 9, 2)
    appeals = [sent_appeal(seed_action, day) for _ in range(3)]  # as many as would mark the target
    for appeal in appeals:
        report = dsn(bounce_address(appeal.pk), "4.2.2", action="failed", auto_submitted=False)
        assert b"Action: failed" in report and b"Auto-Submitted" not in report
        with at(day, 12):
            said = pipe(report, monkeypatch)
        assert said == f"appeal {appeal.pk}: temporary delay reported; nothing changed"
        assert states(appeal) == ("sent", False)
    assert not TargetBounce.objects.exists()


def test_a_permanent_failure_marks_the_appeal_bounced_but_not_the_target(
    bounce_domain, seed_action, monkeypatch
):
    day = datetime.date(2022, 9, 2)
    appeal = sent_appeal(seed_action, day)
    assert bounce_of(appeal, "5.1.1", day, monkeypatch) == f"appeal {appeal.pk} bounced (5.1.1)"
    assert states(appeal) == ("bounced", False)
    from uadesk.appeals.models import TargetBounce

    [recorded] = TargetBounce.objects.all()
    assert (recorded.target, recorded.appeal, recorded.kind, recorded.status) == (
        appeal.target, appeal, "permanent", "5.1.1",
    )  # fmt: skip
    assert recorded.diagnostic == "smtp; 550 5.1.1 [address]: Recipient address rejected"


def test_mail_with_no_report_and_no_auto_reply_sign_is_recorded_and_changes_nothing(
    bounce_domain, seed_action, monkeypatch
):
    day = datetime.date(2022, 9, 2)
    appeal = sent_appeal(seed_action, day)
    with at(day):
        # A plain-text notice quoting a status is no delivery report.
        said = pipe(out_of_office(bounce_address(appeal.pk), Subject="Re: s"), monkeypatch)
    assert said == f"appeal {appeal.pk}: not a delivery report; recorded for staff, nothing changed"
    assert states(appeal) == ("sent", False)
    from uadesk.appeals.models import TargetBounce

    assert list(TargetBounce.objects.values_list("kind", flat=True)) == ["unknown"]


def test_three_letters_failing_within_the_window_mark_the_target_failing(
    bounce_domain, seed_action, monkeypatch
):
    days = [datetime.date(2022, 9, 2), datetime.date(2022, 9, 4), datetime.date(2022, 9, 8)]
    first, second, third = (sent_appeal(seed_action, day) for day in days)
    bounce_of(first, "5.1.1", days[0], monkeypatch)
    # The same letter's bounce again (a server that reports twice) is still one letter.
    bounce_of(first, "5.1.1", days[0], monkeypatch, hour=13)
    bounce_of(second, "5.1.1", days[1], monkeypatch)
    assert states(second) == ("bounced", False)
    said = bounce_of(third, "5.1.1", days[2], monkeypatch)
    assert said == f"appeal {third.pk} bounced (5.1.1); the email of Xi Jinping is marked failing"
    assert states(third) == ("bounced", True)


def test_two_in_the_window_and_one_before_it_do_not_mark_the_target(bounce_domain, seed_action, monkeypatch):
    days = [datetime.date(2022, 9, 1), datetime.date(2022, 9, 9), datetime.date(2022, 9, 10)]
    for day in days:
        bounce_of(sent_appeal(seed_action, day), "5.1.1", day, monkeypatch)
    assert seed_action.targets.get(name="Xi Jinping").email_failing_since is None


def test_a_bounce_address_past_its_time_is_refused(bounce_domain, seed_action, monkeypatch):
    from uadesk.appeals.bounces import _signature

    sent_on = datetime.date(2022, 9, 2)
    appeal = sent_appeal(seed_action, sent_on)
    with at(sent_on):
        address = bounce_address(appeal.pk)
    with at(sent_on + datetime.timedelta(days=3)):
        said = pipe(dsn(address, "5.1.1"), monkeypatch)
    assert said == f"appeal {appeal.pk}: refused, its bounce address has expired; nothing changed"
    assert states(appeal) == ("sent", False)

    # An address of the old form (no day) holds while its letter's send is within 48 hours, then no more.
    old_form = f"bounces+{appeal.pk}-{_signature(str(appeal.pk))}@bounces.section.example"
    with at(sent_on + datetime.timedelta(days=2), hour=13):
        assert "refused" in pipe(dsn(old_form, "5.1.1"), monkeypatch)
    with at(sent_on + datetime.timedelta(days=1)):
        assert pipe(dsn(old_form, "5.1.1"), monkeypatch) == f"appeal {appeal.pk} bounced (5.1.1)"


def test_staff_see_why_and_take_a_targets_email_again(bounce_domain, seed_action, monkeypatch, staff_client):
    days = [datetime.date(2022, 9, 2), datetime.date(2022, 9, 3), datetime.date(2022, 9, 4)]
    appeals = [sent_appeal(seed_action, day) for day in days]
    for appeal, day in zip(appeals, days, strict=True):
        bounce_of(appeal, "5.1.1", day, monkeypatch)
    xi = appeals[0].target
    compose = {"targets": [xi.pk], "language": "en", "channel": "email", "body": "Release them.",
               "name": "Ada", "step": "send"}  # fmt: skip
    url = reverse("appeals:compose", kwargs={"slug": seed_action.slug})
    refused = "come back: choose fax or post for them."
    with at(days[-1]):
        assert refused in staff_client.post(url, compose | {"key": str(uuid.uuid4())}).content.decode()
        page = staff_client.get(reverse("admin:actions_target_change", args=[xi.pk])).content.decode()
        assert "3 of 3 letters that bounced for good within 7 days" in page
        assert page.count("<td>5.1.1</td>") == 3 and "2022-09-03" in page

        changelist = reverse("admin:actions_target_changelist")
        taken = staff_client.post(
            changelist, {"action": "email_take_again", "_selected_action": [xi.pk], "index": "0"}
        )
        assert taken.status_code == 302
        xi.refresh_from_db()
        assert xi.email_failing_since is None
        assert refused not in staff_client.post(url, compose | {"key": str(uuid.uuid4())}).content.decode()
        assert Appeal.objects.filter(target=xi, status="queued").exists()

    # The bounces before count no more: one more letter failing does not switch it off again.
    fourth = sent_appeal(seed_action, days[-1])
    bounce_of(fourth, "5.1.1", days[-1], monkeypatch, hour=13)
    assert states(fourth) == ("bounced", False)


@pytest.mark.django_db(transaction=True)
def test_bounces_piped_to_the_command_mark_the_appeals_and_then_the_target(
    bounce_domain, seed_action, uadesk_bin, process_env, client
):
    env = process_env | {"BOUNCE_DOMAIN": "bounces.section.example"}

    def run(raw: bytes) -> str:
        result = subprocess.run([uadesk_bin, "bounce"], input=raw, env=env, capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode().strip()

    appeals = [sent_appeal(seed_action) for _ in range(3)]
    xi = appeals[0].target
    # The official is away: the mail server is told all is well, and nothing changes.
    said = run(out_of_office(bounce_address(appeals[0].pk)))
    assert said == f"appeal {appeals[0].pk}: an automatic reply (out of office); nothing changed"
    assert states(appeals[0]) == ("sent", False)
    for appeal in appeals:
        said = run(dsn(bounce_address(appeal.pk), "5.1.1"))
    assert said.endswith("; the email of Xi Jinping is marked failing")
    assert states(appeals[-1]) == ("bounced", True)

    # The supporter is now sent to fax or post for this target.
    with at(OPEN_DAY):
        response = client.post(
            reverse("appeals:compose", kwargs={"slug": seed_action.slug}),
            {"key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "email",
             "body": "Release them.", "name": "Ada", "step": "send"},
        )  # fmt: skip
        page = client.get(seed_action.get_absolute_url()).content.decode()
    assert "come back: choose fax or post for them." in response.content.decode()
    assert "letters come back: please write by post" in page  # this desk has no fax gateway


@pytest.mark.django_db(transaction=True)
def test_mail_that_is_not_ours_is_ignored_quietly_and_empty_input_is_an_error(uadesk_bin, process_env):
    other = subprocess.run(
        [uadesk_bin, "bounce"], input=b"Subject: hello\n\nhi", env=process_env, capture_output=True
    )
    assert (other.returncode, other.stdout.strip()) == (0, b"not a bounce of a uadesk letter; ignored")
    empty = subprocess.run([uadesk_bin, "bounce"], input=b"", env=process_env, capture_output=True)
    assert empty.returncode == 2
    assert empty.stderr.decode().strip() == "CommandError: no message on standard input"


def test_a_broken_report_to_our_address_is_unknown_not_a_traceback(bounce_domain):
    from uadesk.appeals.bounces import Kind

    address = bounce_address(7, day=datetime.date(2022, 9, 1))
    report = "Content-Type: multipart/report; report-type=delivery-status"
    broken = f"To: {address}\n{report}\n\nno parts".encode()
    assert bounced_appeal(broken).kind == Kind.UNKNOWN
    nonsense = f"To: {address}\nSubject: =?x-unknown?q?abc?=\n\n\xff".encode("latin-1")
    assert bounced_appeal(nonsense).kind == Kind.UNKNOWN
