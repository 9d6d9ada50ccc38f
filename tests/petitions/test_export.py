"""Staff export confirmed signatures as CSV; emails only with the permission; each export is logged."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.conftest import staff_login
from uadesk.petitions.models import Signature, SignatureExport
from uadesk.petitions.services import forget_supporter
from uadesk.supporters.models import Supporter


@pytest.fixture
def signed(petition):
    for n, (name, confirmed) in enumerate(
        [("Ada", True), ("=HYPERLINK(evil)", True), ("Unconfirmed", False)]
    ):
        Signature.objects.create(
            petition=petition, supporter=Supporter.for_email(f"s{n}@example.org"), name=name, country="FR",
            household_place=1, consent_case_updates=n == 0,
            confirmed_at=timezone.now() if confirmed else None,
        )  # fmt: skip
    return petition


def staff(django_user_model, username, *perms):
    user = django_user_model.objects.create_user(username, password="a long staff password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return user


def export(client, user, petition, *, emails=False):
    staff_login(client, user)
    return client.get(f"/staff/petitions/petition/{petition.pk}/export/" + ("?emails=1" if emails else ""))


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_an_editor_exports_names_country_and_consents_without_emails(client, django_user_model, signed):
    editor = staff(django_user_model, "editor", "view_signature", "view_petition")
    response = export(client, editor, signed)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, *body = rows(response)
    assert header == ["name", "country", "consent_case_updates", "consent_org_news", "confirmed_at"]
    assert [r[:4] for r in body] == [["Ada", "FR", "1", "0"], ["'=HYPERLINK(evil)", "FR", "0", "0"]]
    assert "example.org" not in response.content.decode()
    [log] = SignatureExport.objects.all()
    assert (log.username, log.petition, log.with_emails, log.rows) == ("editor", signed, False, 2)
    assert export(client, editor, signed, emails=True).status_code == 403
    assert SignatureExport.objects.count() == 1


def test_only_the_permission_adds_emails(client, django_user_model, signed):
    owner = staff(django_user_model, "owner", "view_signature", "export_signature_emails")
    response = export(client, owner, signed, emails=True)
    header, *body = rows(response)
    assert header[-1] == "email" and [r[-1] for r in body] == ["s0@example.org", "s1@example.org"]
    assert SignatureExport.objects.get().with_emails


def test_an_outsider_exports_nothing(client, django_user_model, signed):
    outsider = staff(django_user_model, "outsider")
    assert export(client, outsider, signed).status_code == 403
    assert SignatureExport.objects.count() == 0


def test_the_audit_log_is_read_only_in_the_admin(staff_client, signed):
    staff_client.get(f"/staff/petitions/petition/{signed.pk}/export/")
    log = SignatureExport.objects.get()
    assert staff_client.get("/staff/petitions/signatureexport/").status_code == 200
    page = staff_client.get(f"/staff/petitions/signatureexport/{log.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert (
        staff_client.post(f"/staff/petitions/signatureexport/{log.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_the_admin_lists_petitions_with_counts_and_signatures_without_emails(staff_client, signed):
    page = staff_client.get("/staff/petitions/petition/").content.decode()
    assert "Release Ilham Tohti" in page
    page = staff_client.get("/staff/petitions/signature/").content.decode()
    assert "Ada" in page and "example.org" not in page


def test_erasure_keeps_the_count_and_drops_the_name(signed):
    supporter = Supporter.find("s0@example.org")
    forget_supporter(supporter)
    supporter.delete()
    assert signed.signatures.confirmed().count() == 2
    assert not Signature.objects.filter(name="Ada").exists()
