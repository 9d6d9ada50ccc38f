"""The mailing's page on the staff desk: its audience's size, a preview in each language, a test to the
staff member's own address, send, pause, resume and cancel (each in the audit log), and the report."""

import pytest
from django.urls import reverse

from uadesk.delivery.tasks import deliver_messages
from uadesk.network import mailings
from uadesk.network.models import Mailing, Member
from uadesk.network.tasks import mailing_queue
from uadesk.staff.models import AuditEntry
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db


def test_staff_see_the_audience_preview_each_language_test_send_and_pause(
    open_action, editor_client, smtp_server
):
    mailbox, _ = smtp_server
    for email, languages in [
        ("a@example.org", "en"),
        ("b@example.org", "fr"),
        ("c@example.org", "ar"),
        ("d@example.org", "ar, en"),
    ]:
        Member.objects.create(supporter=Supporter.for_email(email), languages=languages, status="active")
    mailing = Mailing.objects.get(action=open_action)
    page = editor_client.get(reverse("admin:network_mailing_change", args=[mailing.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Its audience today: 4 members." in text
    for code in ("en", "fr", "ar"):
        preview = editor_client.get(reverse("admin:network_mailing_preview", args=[mailing.pk, code]))
        assert preview.status_code == 200
        assert open_action.targets.get(name="Xi Jinping").native_address_lines[0] in preview.content.decode()

    do = lambda verb: editor_client.post(reverse("admin:network_mailing_do", args=[mailing.pk, verb]))  # noqa: E731
    assert do("test").status_code == 302
    deliver_messages.call()
    tests = mailbox.wait_for(3)
    assert {m["To"] for m in tests} == {"mira@office.example"}
    # A test in each language the audience will read: Arabic for who reads only Arabic; who reads Arabic
    # then English gets the case in English, which the action has.
    assert {m.get_body(("html",)).get_content().split('lang="')[1][:2] for m in tests} == {"en", "fr", "ar"}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT  # a test sends nothing to members

    assert do("send").status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert do("pause").status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.PAUSED
    assert do("cancel").status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.CANCELLED
    codes = set(AuditEntry.objects.filter(object_type="network.mailing").values_list("code", flat=True))
    assert {"uadesk.mailing.started", "uadesk.mailing.paused", "uadesk.mailing.cancelled"} <= codes
    report = editor_client.get(reverse("admin:network_mailing_report", args=[mailing.pk]))
    assert report.status_code == 200 and report.content.decode().startswith("measure,channel,count")


def test_an_analyst_reads_the_report_but_cannot_send(open_action, client, django_user_model):
    from django.contrib.auth.models import Group

    from tests.conftest import staff_login
    from uadesk.staff.roles import roles_sync

    roles_sync()
    analyst = django_user_model.objects.create_user("ana", email="ana@office.example", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analyst"))
    staff_login(client, analyst)
    mailing = Mailing.objects.get(action=open_action)
    assert client.get(reverse("admin:network_mailing_report", args=[mailing.pk])).status_code == 200
    assert client.post(reverse("admin:network_mailing_do", args=[mailing.pk, "send"])).status_code == 403
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_a_mailing_with_members_by_post_links_its_print_run(open_action, editor_client):
    member = Member(supporter=Supporter.for_email("post@example.org"), status="active", channel="post")
    member.postal_address = "Ada Post\n1 Rue de la Paix\n75000 Paris"
    member.postcode = "75000"
    member.save()
    mailing = Mailing.objects.get(action=open_action)
    mailings.mailing_send(mailing)
    mailing_queue.call(mailing.pk)
    page = editor_client.get(reverse("admin:network_mailing_change", args=[mailing.pk])).content.decode()
    link = reverse("admin:network_mailing_print", args=[mailing.pk])
    assert link in page
    assert "1 member gets this mailing by post" in editor_client.get(link).content.decode()
