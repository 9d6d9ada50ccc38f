"""Several sections on one desk, each a network of its own: one address joins two as two members with their
own consent, and leaving one leaves the other as it was; a bounce stops them all; a section's mailing
reaches its own members only; a section's staff import into their section."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.conftest import staff_login
from tests.network.member_fixtures import paths_in, text_of
from tests.network.section_fixtures import member_in, section_make, staff_make
from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.delivery.tasks import deliver_messages
from uadesk.network import mailings
from uadesk.network.allocate import members_today
from uadesk.network.members import leave_path, suppress
from uadesk.network.models import Mailing, Member, Recipient, Suppression
from uadesk.network.tasks import mailing_queue
from uadesk.staff.models import AuditEntry
from uadesk.supporters.links import token_for

pytestmark = pytest.mark.django_db
JOIN = reverse("network:join")
IMPORT = reverse("admin:network_member_import")


@pytest.fixture
def de():
    return section_make("de", "Amnesty Deutschland")


@pytest.fixture
def fr():
    return section_make("fr", "Amnesty France")


def join_data(email: str, language: str) -> dict:
    return {"email": email, "language": language, "channel": "email", "cases": ""}


def test_one_address_joins_two_networks_as_two_members_each_with_its_own_consent(
    client, seed_action, de, smtp_server
):
    mailbox, _ = smtp_server
    de_join = reverse("network:join", kwargs={"section": "de"})
    page = client.get(de_join).content.decode()
    assert "Amnesty Deutschland sends you Urgent Actions" in page
    assert client.post(de_join, join_data("Ana.Silva@example.org", "de")).status_code == 302
    assert client.post(JOIN, join_data("ana.silva@EXAMPLE.org", "en")).status_code == 302
    in_de, in_office = Member.objects.get(section=de), Member.objects.get(section=None)
    assert in_de.supporter_id == in_office.supporter_id  # one person, whatever the spelling
    assert (in_de.languages, in_office.languages) == ("de", "en")

    assert deliver_messages.call() == 2
    emails = mailbox.wait_for(2)
    [to_de] = [e for e in emails if "asked Amnesty Deutschland for Urgent Actions" in text_of(e)]
    [to_office] = [e for e in emails if e is not to_de]
    [de_confirm] = paths_in(to_de, r"/network/member/[^/]+/section/de/confirm/$")
    [office_confirm] = paths_in(to_office, r"/network/member/[^/]+/confirm/$")
    assert "Amnesty Deutschland" not in text_of(to_office)

    # Each confirmation makes a member of its own network only, with the consent that network showed.
    assert client.post(de_confirm).status_code == 200
    in_de.refresh_from_db()
    in_office.refresh_from_db()
    assert (in_de.status, in_office.status) == ("active", "pending")
    assert in_de.consent_text.startswith("Amnesty Deutschland sends you Urgent Actions")
    assert client.post(office_confirm).status_code == 200
    in_office.refresh_from_db()
    assert in_office.status == "active"
    assert in_office.consent_text.startswith("This Urgent Action network sends you Urgent Actions")

    # Leaving the section by its own link leaves the office's membership as it was.
    assert client.post(leave_path(in_de)).status_code == 200
    in_de.refresh_from_db()
    in_office.refresh_from_db()
    assert (in_de.status, in_office.status) == ("left", "active")
    assert list(mailings.members_reachable(section=None)) == [in_office]
    assert not mailings.members_reachable(section=de).exists()
    # Their data page shows both memberships, each as it stands.
    data = client.get(reverse("supporters:data", args=[token_for(in_de.supporter)])).content.decode()
    assert "<strong>Amnesty Deutschland</strong>: You left the network" in data
    assert "You are a member: you receive Urgent Actions as you chose." in data


def test_leaving_stops_one_network_and_a_bounce_stops_every_one(de, fr):
    in_office, in_de, in_fr = (member_in("ana@example.org", s) for s in (None, de, fr))
    email_hash = in_de.supporter.email_hash
    waiting = {m.section_id: message_queue(Message.Kind.MEMBER_WELCOME, m.pk) for m in (in_office, in_de)}
    suppress(email_hash, Suppression.Reason.UNSUBSCRIBED, section=de)
    assert Suppression.stops([in_office, in_de, in_fr]) == {in_de.pk}
    for message in waiting.values():
        message.refresh_from_db()
    assert (waiting[de.pk].status, waiting[None].status) == ("cancelled", "waiting")
    assert list(mailings.members_reachable(section=fr)) == [in_fr]
    suppress(email_hash, Suppression.Reason.UNSUBSCRIBED, section=de)  # twice: one row
    suppress(email_hash, Suppression.Reason.HARD_BOUNCE)
    assert Suppression.stops([in_office, in_de, in_fr]) == {in_office.pk, in_de.pk, in_fr.pk}
    waiting[None].refresh_from_db()
    assert waiting[None].status == "cancelled"
    assert set(Suppression.objects.values_list("reason", "section")) == {
        ("unsubscribed", de.pk), ("hard_bounce", None),
    }  # fmt: skip
    # The first reason about the address stays, as before sections.
    suppress(email_hash, Suppression.Reason.COMPLAINT)
    assert Suppression.objects.exclude(reason="unsubscribed").get().reason == "hard_bounce"


def test_one_person_is_one_member_of_each_network_whatever_the_spelling(de):
    member_in("ana@example.org")
    member_in("ANA@example.org", de)
    for section in (None, de):  # the office's scope holds as a section's does, NULL or not
        with pytest.raises(IntegrityError), transaction.atomic():
            member_in("Ana@Example.org", section)
    assert Member.objects.count() == 2


def test_each_networks_mailing_reaches_its_own_members_only(open_action, de, fr):
    office = [member_in("office@example.org"), member_in("both@example.org")]
    in_de = [
        member_in("de@example.org", de),
        member_in("both@example.org", de),
        member_in("paced@example.org", de),
    ]
    in_fr = [member_in("fr@example.org", fr)]
    in_de[2].most_per_30_days = 2
    in_de[2].save()
    open_action.save()  # the sections came after publishing: the next save drafts their mailings
    drafts = {m.section_id: m for m in Mailing.objects.filter(action=open_action, kind=Mailing.Kind.NEW)}
    assert set(drafts) == {None, de.pk, fr.pk}
    # The allocation shares out a network's own members only.
    assert {m.id for m in members_today(open_action.created_at.date(), section=de.pk)} == {
        m.pk for m in in_de
    }
    for section, members in [(None, office), (de.pk, in_de), (fr.pk, in_fr)]:
        mailing = drafts[section]
        assert set(mailings.audience(mailing)) == set(members)
        mailings.mailing_send(mailing)
        mailing_queue.call(mailing.pk)
        assert set(Recipient.objects.filter(mailing=mailing).values_list("member", flat=True)) == {
            m.pk for m in members
        }


def upload(client, text: str):
    data = {
        "file": SimpleUploadedFile("m.csv", text.encode(), "text/csv"),
        "consent_origin": "stand, Kirchentag",
    }
    return client.post(IMPORT, data)


def test_a_sections_staff_import_into_their_section_only(client, django_user_model, de):
    in_office = member_in("ana@example.org", languages="en")
    member_in("gone@example.org", de, status="left")
    staff_login(client, staff_make(django_user_model, "de-editor", section=de))
    report = upload(
        client,
        "email,languages,consent\nANA@example.org,de,yes\ngone@example.org,de,yes\nneu@example.org,de,no\n",
    )
    html = report.content.decode()
    assert "Into the network of Amnesty Deutschland." in html
    assert "this member left the network: never imported again" in html
    key = html.split('name="key" value="')[1].split('"')[0]
    assert client.post(IMPORT, {"key": key}).status_code == 302

    imported = Member.objects.filter(section=de, source="import").select_related("supporter")
    assert {(m.supporter.email, m.status) for m in imported} == {
        ("ana@example.org", "active"),  # the person the office knows, the address as first given
        ("neu@example.org", "pending"),
    }
    assert imported.get(status="active").supporter_id == in_office.supporter_id
    in_office.refresh_from_db()
    assert (in_office.languages, in_office.source, Member.objects.filter(section=None).count()) == (
        "en",
        "site",
        1,
    )
    entry = AuditEntry.objects.get(code="uadesk.member.imported")
    assert (entry.detail["section"], entry.detail["created"]) == ("de", 2)
