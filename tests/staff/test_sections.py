"""Staff of one section on a desk that hosts several: they list, open, export, mail and print their own
section's members, mailings, supporters and letters only, and the office's staff every section's; each
look at members is in the audit log, which names the staff member and never a member."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.helpers import counted_appeal
from tests.conftest import staff_login
from tests.network.section_fixtures import member_in, section_make, staff_make
from uadesk.actions.models import Localisation
from uadesk.network.models import Mailing, Recipient
from uadesk.network.tasks import mailing_queue
from uadesk.petitions.models import Signature
from uadesk.staff.models import AuditEntry, StaffSection

pytestmark = pytest.mark.django_db
MEMBERS = reverse("admin:network_member_changelist")


@pytest.fixture
def de():
    return section_make("de", "Amnesty Deutschland")


@pytest.fixture
def fr():
    return section_make("fr", "Amnesty France")


@pytest.fixture
def people(de, fr):
    """A member of the office, two of the German section (one by post), one of the French."""
    return {
        "office": member_in("office@example.org"),
        "de": member_in("de@example.org", de),
        "de_post": member_in("post@example.org", de, channel="post", postcode="10115"),
        "fr": member_in("fr@example.org", fr),
    }


@pytest.fixture
def de_client(django_user_model, de):
    return staff_login(Client(), staff_make(django_user_model, "de-editor", section=de))


@pytest.fixture
def office_client(django_user_model):
    return staff_login(Client(), staff_make(django_user_model, "office-editor"))


def listed(client, people, **query) -> set[str]:
    """Which of `people` the member list shows."""
    html = client.get(MEMBERS, query).content.decode()
    return {name for name, member in people.items() if f">member #{member.pk}<" in html}


def change_url(member) -> str:
    return reverse("admin:network_member_change", args=[member.pk])


def test_a_sections_staff_list_their_members_and_the_office_every_one(people, de_client, office_client):
    assert listed(de_client, people) == {"de", "de_post"}
    assert listed(office_client, people) == {"office", "de", "de_post", "fr"}
    # By the office's section filter, and by exact address: never another section's member.
    assert listed(office_client, people, section__id__exact=people["fr"].section_id) == {"fr"}
    assert listed(de_client, people, q="fr@example.org") == set()
    assert listed(office_client, people, q="fr@example.org") == {"fr"}


def test_another_sections_member_is_not_found_by_its_address(people, de_client, office_client):
    assert de_client.get(change_url(people["de"])).status_code == 200
    for other in ("fr", "office"):
        assert de_client.get(change_url(people[other])).status_code == 404
        assert de_client.get(change_url(people[other]) + "../history/").status_code == 404
    assert office_client.get(change_url(people["fr"])).status_code == 200


def export(client, **query):
    return client.get(reverse("admin:network_member_export"), query)


def exported(answer) -> list[dict]:
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.content.decode())))


def test_the_export_holds_their_own_members_and_no_address(people, de_client, office_client):
    answer = export(de_client)
    rows = exported(answer)
    assert {int(row["member"]) for row in rows} == {people["de"].pk, people["de_post"].pk}
    assert {row["section"] for row in rows} == {"de"}
    text = answer.content.decode()
    assert "@" not in text and "Dora" not in text and "Hauptstraße" not in text
    # Nor by a filter, a search or a number: another section's members are not theirs to find.
    other = people["fr"]
    assert exported(export(de_client, section__id__exact=other.section_id)) == []
    assert exported(export(de_client, q=f"#{other.pk}")) == []
    assert exported(export(de_client, q="fr@example.org")) == []
    assert len(exported(export(office_client))) == 4
    assert [row["member"] for row in exported(export(office_client, q="fr@example.org"))] == [str(other.pk)]
    # The list leads to the export of what it shows.
    page = de_client.get(MEMBERS, {"status__exact": "active"}).content.decode()
    assert f'href="{reverse("admin:network_member_export")}?status__exact=active"' in page


def test_their_mailing_its_audience_recipients_and_print_run_are_their_sections(
    people, de, open_action, de_client, office_client
):
    open_action.save()  # drafts the mailings of the sections that came since it was published
    mine = Mailing.objects.get(action=open_action, section=de)
    others = Mailing.objects.exclude(pk=mine.pk)
    assert others.count() == 2  # the office's and the French section's
    page = de_client.get(reverse("admin:network_mailing_changelist")).content.decode()
    assert reverse("admin:network_mailing_change", args=[mine.pk]) in page
    assert not any(reverse("admin:network_mailing_change", args=[m.pk]) in page for m in others)
    assert (
        "Its audience today: 2 members."
        in de_client.get(reverse("admin:network_mailing_change", args=[mine.pk])).content.decode()
    )
    for other in others:
        for name, extra in [
            ("network_mailing_change", []), ("network_mailing_preview", ["en"]),
            ("network_mailing_report", []), ("network_mailing_print", []),
            ("network_mailing_print_labels", []),
        ]:  # fmt: skip
            assert de_client.get(reverse(f"admin:{name}", args=[other.pk, *extra])).status_code == 404, name
        assert de_client.post(reverse("admin:network_mailing_do", args=[other.pk, "send"])).status_code == 404
        other.refresh_from_db()
        assert other.status == "draft"
    assert office_client.get(reverse("admin:network_mailing_change", args=[others[0].pk])).status_code == 200

    assert de_client.post(reverse("admin:network_mailing_do", args=[mine.pk, "send"])).status_code == 302
    mailing_queue.call(mine.pk)
    assert set(Recipient.objects.values_list("member", flat=True)) == {people["de"].pk, people["de_post"].pk}
    print_page = de_client.get(reverse("admin:network_mailing_print", args=[mine.pk]))
    up_to = print_page.context["form"].initial["up_to"]
    labels = de_client.get(reverse("admin:network_mailing_print_labels", args=[mine.pk]), {"up_to": up_to})
    assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"
    printed = AuditEntry.objects.get(code="uadesk.mailing.printed")
    assert (printed.actor, printed.object_id, printed.detail) == (
        "de-editor", str(mine.pk), {"part": "labels", "count": 1},
    )  # fmt: skip


def test_the_audit_log_says_who_saw_which_members_and_never_their_address(people, de_client):
    de_client.get(MEMBERS, {"status__exact": "active", "joined_at__year": "2026"})
    de_client.get(MEMBERS, {"q": "post@example.org"})
    de_client.get(change_url(people["de_post"]))
    export(de_client, channel__exact="email")
    entries = {e.code: e for e in AuditEntry.objects.order_by("pk")}  # the last of each code
    lists = AuditEntry.objects.filter(code="uadesk.member.listed").order_by("pk")
    assert [e.detail for e in lists] == [
        {"shown": 2, "found": 2, "filters": {"joined_at__year": "2026", "status__exact": "active"},
         "searched": False},
        {"shown": 1, "found": 1, "filters": {}, "searched": True},
    ]  # fmt: skip
    assert entries["uadesk.member.searched"].detail == {"by": "email", "found": 1}
    viewed = entries["uadesk.member.viewed"]
    assert (viewed.object_type, viewed.object_id) == ("network.member", str(people["de_post"].pk))
    assert entries["uadesk.member.exported"].detail == {
        "count": 1, "filters": {"channel__exact": "email"}, "searched": False,
    }  # fmt: skip
    for entry in AuditEntry.objects.all():
        assert entry.actor == "de-editor" and entry.user.username == "de-editor"
        said = f"{entry.detail} {entry.object_id} {entry.actor}"
        assert "example.org" not in said and "Dora" not in said and "10115" not in said, entry.code


def test_a_filter_typed_into_the_address_is_logged_by_its_name_only(people, de_client):
    de_client.get(MEMBERS, {"postcode": "10115"})  # a field of the member, not a filter of the page
    entry = AuditEntry.objects.get(code="uadesk.member.listed")
    assert entry.detail["filters"] == {"postcode": "…"} and entry.detail["found"] == 1


def test_supporters_and_letters_are_their_sections_where_the_data_says_so(
    people, de, open_action, django_user_model, de_client
):
    localised = Localisation.objects.create(action=open_action, section=de)
    on_de_page = counted_appeal(open_action, name="Ines", email="ines@example.org")
    on_de_page.localisation = localised
    on_de_page.save()
    on_office_page = counted_appeal(open_action, name="Otto", email="otto@example.org")
    support = staff_login(Client(), staff_make(django_user_model, "de-support", section=de, role="Support"))
    html = support.get(reverse("admin:supporters_supporter_changelist")).content.decode()
    seen = {p.supporter_id for p in (people["de"], people["de_post"])} | {on_de_page.supporter_id}
    for supporter_id in seen:
        assert f">supporter #{supporter_id}<" in html
    for supporter_id in (
        people["office"].supporter_id,
        people["fr"].supporter_id,
        on_office_page.supporter_id,
    ):
        assert f">supporter #{supporter_id}<" not in html
    # The letters: an editor of the section sees those written from its version of the action.
    letters = de_client.get(reverse("admin:appeals_appeal_changelist")).content.decode()
    assert reverse("admin:appeals_appeal_change", args=[on_de_page.pk]) in letters
    assert reverse("admin:appeals_appeal_change", args=[on_office_page.pk]) not in letters
    assert de_client.get(reverse("admin:appeals_appeal_change", args=[on_office_page.pk])).status_code == 404


def user_form(user, section) -> dict:
    return {
        "username": user.username, "email": user.email, "is_active": "on", "is_staff": "on",
        "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00",
        "staff_section-TOTAL_FORMS": "1", "staff_section-INITIAL_FORMS": "0",
        "staff_section-MIN_NUM_FORMS": "0", "staff_section-MAX_NUM_FORMS": "1",
        "staff_section-0-section": section.pk, "staff_section-0-user": user.pk,
    }  # fmt: skip


def test_an_office_administrator_places_an_account_in_a_section_and_a_sections_cannot(
    django_user_model, de, fr
):
    colleague = staff_make(django_user_model, "new-colleague")
    admin = staff_login(Client(), staff_make(django_user_model, "office-admin", role="Administrator"))
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    assert admin.post(url, user_form(colleague, de)).status_code == 302
    assert StaffSection.objects.get(user=colleague).section == de

    # An administrator of a section who could move accounts would see every section: they cannot.
    de_admin_user = staff_make(django_user_model, "de-admin", section=de, role="Administrator")
    de_admin = staff_login(Client(), de_admin_user)
    other = staff_make(django_user_model, "other-colleague")
    de_admin.post(reverse("admin:auth_user_change", args=[other.pk]), user_form(other, fr))
    de_admin.post(reverse("admin:auth_user_change", args=[de_admin_user.pk]), user_form(de_admin_user, fr))
    assert not StaffSection.objects.filter(user=other).exists()
    assert StaffSection.objects.get(user=de_admin_user).section == de


def test_signers_name_no_section_so_a_sections_staff_see_and_export_none(petition, de, django_user_model):
    Signature.objects.create(
        petition=petition, name="Ana Silva", country="PT", household_place=1, confirmed_at=timezone.now()
    )
    export_url = reverse("admin:petitions_petition_export", args=[petition.pk])
    signatures = reverse("admin:petitions_signature_changelist")
    in_de = staff_login(Client(), staff_make(django_user_model, "de-admin", section=de, role="Administrator"))
    assert in_de.get(export_url).status_code == 403
    assert "Ana Silva" not in in_de.get(signatures).content.decode()
    office = staff_login(Client(), staff_make(django_user_model, "office-admin", role="Administrator"))
    assert office.get(export_url).status_code == 200
    assert "Ana Silva" in office.get(signatures).content.decode()
