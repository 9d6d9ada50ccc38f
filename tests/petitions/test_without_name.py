"""A signature counted without its name: it counts, and no export, API answer, webhook or staff page
carries the name (nor the address, which names its owner as well); only the signer's own emails do."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.conftest import confirm_links, staff_login
from uadesk.api.models import ApiToken, Webhook, WebhookDelivery
from uadesk.petitions.models import Signature
from uadesk.supporters.models import Supporter

from .conftest import sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pow(settings):
    settings.PETITION_POW_MAX_NUMBER = 500
    settings.PETITION_RATE_PER_ADDRESS = 0
    settings.PETITION_RATE_PER_NETWORK = 0


@pytest.fixture
def signed(client, petition, immediate_tasks, process):
    """Ada Lovelace signed without her name and confirmed; Bo Chen signed under his, as a control."""
    Webhook.objects.create(name="CRM", url="https://crm.example.org/hooks", personal_data=True)
    assert sign(client, petition, name_withheld="on").status_code == 302
    assert process() == 1
    [message] = immediate_tasks.wait_for(1)
    # Her own email greets her by the name she typed: it goes to her alone.
    assert "Hello Ada Lovelace" in message.get_body(("plain",)).get_content()
    [link] = confirm_links(immediate_tasks.messages)
    assert client.post(link).status_code == 200
    Signature.objects.create(
        petition=petition, supporter=Supporter.for_email("bo@example.org"), name="Bo Chen", country="FR",
        household_place=1, confirmed_at=timezone.now(),
    )  # fmt: skip
    cache.delete(petition.count_cache_key)
    return petition


def no_trace_of_ada(text: str) -> bool:
    return "lovelace" not in text.lower() and "ada@" not in text.lower()


def test_the_signature_counts(client, signed):
    ada = Signature.objects.get(name="Ada Lovelace")
    assert ada.is_confirmed and ada.name_withheld
    assert signed.count() == 2
    answer = client.get(reverse("petition_count", kwargs={"slug": signed.slug}))
    assert answer.json()["count"] == 2
    widget = client.get(reverse("petitions:widget", kwargs={"slug": signed.slug})).content.decode()
    assert no_trace_of_ada(widget) and no_trace_of_ada(client.get(signed.get_absolute_url()).content.decode())


def test_the_staff_export_has_the_row_without_name_or_email(client, django_user_model, signed):
    owner = django_user_model.objects.create_user("owner", password="a long staff password", is_staff=True)
    owner.user_permissions.set(
        Permission.objects.filter(codename__in=["view_signature", "export_signature_emails"])
    )
    staff_login(client, owner)
    for emails in ("", "?emails=1"):
        answer = client.get(f"/staff/petitions/petition/{signed.pk}/export/{emails}")
        assert answer.status_code == 200
        text = answer.content.decode()
        header, *rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 2 and no_trace_of_ada(text)
        assert sorted(row[0] for row in rows) == ["", "Bo Chen"]
        if emails:
            assert sorted(row[-1] for row in rows) == ["", "bo@example.org"]


def test_the_api_answers_without_name_or_email(client, signed):
    token = ApiToken(name="CRM sync", scope_personal_data=True)
    key = token.new_key()
    token.save()
    url = f"/api/petitions/{signed.slug}/signatures"
    answer = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    text = answer.content.decode()
    people = [(s["name"], s["email"]) for s in answer.json()["_embedded"]["osdi:signatures"]]
    assert sorted(people, key=str) == [("", None), ("Bo Chen", "bo@example.org")]
    assert no_trace_of_ada(text)
    petition = client.get(f"/api/petitions/{signed.slug}").json()
    assert petition["total_signatures"] == 2


def test_the_webhook_payload_has_no_name(signed):
    ada = Signature.objects.get(name="Ada Lovelace")
    delivery = WebhookDelivery.objects.get(object_id=ada.pk)
    assert delivery.payload["data"]["person"] == {"name": "", "country": "GB"}


def test_staff_pages_show_no_name_and_a_search_by_it_finds_nothing(staff_client, signed):
    listing = staff_client.get("/staff/petitions/signature/").content.decode()
    assert "Bo Chen" in listing and no_trace_of_ada(listing)
    assert "(counted without the name)" in listing
    found = staff_client.get("/staff/petitions/signature/", {"q": "Lovelace"}).content.decode()
    assert "0 results" in found or "0 signatures" in found, found[:3000]
    ada = Signature.objects.get(name="Ada Lovelace")
    page = staff_client.get(f"/staff/petitions/signature/{ada.pk}/change/").content.decode()
    assert no_trace_of_ada(page)


def test_signing_again_with_the_name_shown_does_not_show_it(client, signed, process):
    assert sign(client, signed).status_code == 302  # the same name and address, the box unticked
    process()
    assert Signature.objects.get(name="Ada Lovelace").name_withheld
