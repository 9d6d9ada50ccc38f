"""Staff linking desks in the staff desk: an access given with its token shown once, a subscription
checked before it is kept, and an action from the office read-only but for what the section decides."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.ingest.test_views import FormFields
from uadesk.actions.models import Action, Section
from uadesk.federation.keys import desk_public_text
from uadesk.federation.models import FeedEntry, SectionAccess, Subscription
from uadesk.federation.pull import subscription_pull
from uadesk.federation.services import access_grant, subscription_create
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def form_of(html: str) -> dict[str, str]:
    fields = FormFields()
    fields.feed(html)
    return fields.data


class Codes(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: dict[str, str] = {}
        self._id = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._id = dict(attrs).get("id") if tag == "code" else None

    def handle_endtag(self, tag):
        self._id = None

    def handle_data(self, data):
        if self._id:
            self.ids[self._id] = data.strip()


@pytest.fixture
def section(db):
    return Section.objects.create(code="de", name="Deutsche Sektion", country="DE")


def test_the_office_gives_a_section_access_and_sees_its_token_once(staff_client, section):
    listing = staff_client.get(reverse("admin:federation_sectionaccess_changelist"))
    assert Codes(listing.content.decode()).ids["federation-desk-key"] == desk_public_text()
    add = reverse("admin:federation_sectionaccess_add")
    refused = staff_client.post(add, {"section": section.pk, "desk_key": "ssh-ed25519 AAAA"})
    assert refused.status_code == 200 and "Not a desk&#x27;s key" in refused.content.decode()
    assert not SectionAccess.objects.exists()
    shown = staff_client.post(add, {"section": section.pk, "desk_key": desk_public_text()})
    codes = Codes(shown.content.decode()).ids
    assert "no-store" in shown["Cache-Control"]
    access = SectionAccess.objects.get()
    assert SectionAccess.authenticate(codes["federation-token"]) == access
    assert codes["federation-desk-key"] == desk_public_text()
    # Shown once: the access's own page holds only its prefix.
    page = staff_client.get(
        reverse("admin:federation_sectionaccess_change", args=[access.pk])
    ).content.decode()
    assert codes["federation-token"] not in page and access.prefix in page


def test_a_subscription_is_kept_only_once_the_feed_answers_signed(staff_client, live_server, section):
    access, token = access_grant(section=section, desk_key=desk_public_text())
    # One database plays both desks: the office noting the token's use (once a minute) would wait on
    # SQLite for the section's request that is still open; two desks have two databases.
    SectionAccess.objects.filter(pk=access.pk).update(last_used_at=timezone.now())
    add = reverse("admin:federation_subscription_add")
    fields = {"name": "Office", "feed_url": live_server.url + "/federation/feed", "section": section.pk,
              "office_key": desk_public_text()}  # fmt: skip
    refused = staff_client.post(add, {**fields, "token": "uadf_not-the-token"})
    assert refused.status_code == 200 and "refused: 401" in refused.content.decode()
    assert not Subscription.objects.exists()
    assert staff_client.post(add, {**fields, "token": token}).status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.token == token
    assert AuditEntry.objects.filter(
        code="uadesk.federation.subscribe", object_id=str(subscription.pk)
    ).exists()


def test_an_action_from_the_office_is_read_only_but_the_section_publishes_it(
    staff_client, live_server, section, open_action
):
    _, token = access_grant(section=section, desk_key=desk_public_text())
    subscription = subscription_create(
        name="Office", feed_url=live_server.url + "/federation/feed", token=token,
        office_key=desk_public_text(), section=section,
    )  # fmt: skip
    subscription_pull(subscription)
    local = FeedEntry.objects.get().action
    change = reverse("admin:actions_action_change", args=[local.pk])
    page = staff_client.get(change).content.decode()
    data = form_of(page)
    # The office's text is shown, not offered for editing; the section's choices are.
    assert "title" not in data and "summary" not in data and "deadline" not in data
    assert "risk_notice" in data and "status" in data
    assert open_action.title in page and "Localise it" in page
    assert "targets-0-name" not in data  # the office's officials are not edited here either
    data["_publish"] = "Save and publish"
    assert staff_client.post(change, data).status_code == 302
    local.refresh_from_db()
    assert local.status == Action.Status.PUBLISHED and local.title == open_action.title
