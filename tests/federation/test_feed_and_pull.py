"""The office desk's feed and a section desk pulling it: one database plays both desks here, the feed
served by a real HTTP server (live_server); tests/federation/test_two_desks.py runs two desks."""

import datetime
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from uadesk.actions.models import Action, Localisation, Outcome, Section, Target, Translation
from uadesk.api.serializers import document_validate
from uadesk.federation import signing
from uadesk.federation.keys import desk_public_text
from uadesk.federation.models import FeedEntry, SectionAccess, Subscription
from uadesk.federation.pull import PullError, subscription_pull
from uadesk.federation.services import access_grant, subscription_create
from uadesk.network.models import Mailing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def section(db):
    return Section.objects.create(code="de", name="Deutsche Sektion", country="DE")


@pytest.fixture
def office_action(open_action):
    target = open_action.targets.order_by("position").first()
    Translation.objects.create(
        action=open_action, language="fr", title="Libérez-les", summary="Ils sont détenus.",
        officials={str(target.pk): {"title": "Président", "salutation": "Monsieur le Président"}},
    )  # fmt: skip
    return Action.objects.get(pk=open_action.pk)


@pytest.fixture
def granted(section):
    """The section desk's token; on one database the section's desk key is this desk's own."""
    _, token = access_grant(section=section, desk_key=desk_public_text())
    return token


def feed_url(live_server) -> str:
    return live_server.url + "/federation/feed"


@pytest.fixture
def subscription(live_server, granted, section, office_action):
    return subscription_create(
        name="Office",
        feed_url=feed_url(live_server),
        token=granted,
        office_key=desk_public_text(),
        section=section,
    )


def feed(client, token, **params):
    nonce = signing.new_nonce()
    answer = client.get("/federation/feed", params, headers={"Authorization": f"Bearer {token}",
                                                             "Uadesk-Nonce": nonce})  # fmt: skip
    return answer, nonce


def test_the_feed_serves_each_published_action_as_the_ingest_contract_signed_over_the_request(
    client, granted, office_action
):
    Action.objects.create(slug="draft", title="A draft", summary="Not yet.")
    answer, nonce = feed(client, granted)
    assert answer.status_code == 200
    page = answer.json()
    assert [item["id"] for item in page["items"]] == [office_action.pk] and page["more"] is False
    item = page["items"][0]
    document_validate(item["document"])
    assert item["document"]["title"] == office_action.title
    assert item["target_ids"] == list(
        office_action.targets.filter(localisation=None)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    assert item["translations"][0]["language"] == "fr" and item["translations"][0]["title"] == "Libérez-les"
    public = signing.public_key(desk_public_text())
    signed = signing.verify(
        answer[signing.HEADER],
        public,
        method="ANSWER",
        target="/federation/feed",
        body=answer.content,
        nonce=nonce,
    )
    assert signed.nonce == nonce


def test_the_feed_pages_and_answers_304_when_nothing_changed(client, granted, office_action):
    second = Action.objects.create(
        slug="second",
        title="Second",
        summary="S",
        status=Action.Status.PUBLISHED,
        deadline=datetime.date(2030, 1, 1),
    )
    first, _ = feed(client, granted, limit=1)
    assert first.json()["more"] is True and [i["id"] for i in first.json()["items"]] == [office_action.pk]
    rest, _ = feed(client, granted, since=first.json()["next"], limit=1)
    assert [i["id"] for i in rest.json()["items"]] == [second.pk] and rest.json()["more"] is False
    nonce = signing.new_nonce()
    again = client.get("/federation/feed", {"since": first.json()["next"], "limit": 1},
                       headers={"Authorization": f"Bearer {granted}", "Uadesk-Nonce": nonce,
                                "If-None-Match": rest["ETag"]})  # fmt: skip
    assert again.status_code == 304 and signing.HEADER in again


@pytest.mark.parametrize(
    ("params", "field"),
    [({"since": "yesterday"}, "since"), ({"limit": "0"}, "limit"), ({"sinse": "x"}, "sinse")],
)
def test_bad_feed_parameters_are_a_json_error(client, granted, params, field):
    answer, _ = feed(client, granted, **params)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == field


def test_the_feed_refuses_a_wrong_or_revoked_token_and_a_missing_nonce(client, granted, section):
    assert feed(client, "uadf_" + "x" * 43)[0].status_code == 401
    assert client.get("/federation/feed", headers={"Authorization": f"Bearer {granted}"}).status_code == 400
    SectionAccess.objects.get(section=section).revoke()
    answer, _ = feed(client, granted)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"


def test_a_new_action_becomes_a_draft_localised_for_the_section(subscription, office_action, section):
    result = subscription_pull(subscription)
    assert len(result.created) == 1
    entry = FeedEntry.objects.get(subscription=subscription)
    local = entry.action
    assert local.pk != office_action.pk and local.status == Action.Status.DRAFT
    assert local.title == office_action.title and local.deadline == office_action.deadline
    assert Localisation.objects.filter(action=local, section=section).exists()
    office_targets = list(office_action.targets.order_by("position", "pk"))
    local_targets = list(local.targets.order_by("position", "pk"))
    assert [t.name for t in local_targets] == [t.name for t in office_targets]
    assert {int(k): v for k, v in entry.target_ids.items()} == {
        lt.pk: ot.pk for lt, ot in zip(local_targets, office_targets, strict=True)
    }
    french = Translation.objects.get(action=local, language="fr")
    # The official's translated position follows it to this desk's own target id.
    assert french.official(local_targets[0]) == {"title": "Président", "salutation": "Monsieur le Président"}
    assert entry.document["id"] == office_action.pk
    # Pulled again, nothing is new and nothing is made twice.
    again = subscription_pull(subscription)
    assert again.created == [] and again.changed == [] and FeedEntry.objects.count() == 1


def test_a_change_and_an_outcome_at_the_office_reach_the_section(subscription, office_action):
    subscription_pull(subscription)
    entry = FeedEntry.objects.get()
    local = entry.action
    local.status = Action.Status.PUBLISHED
    local.save()
    office_action.deadline_extended_to = None
    office_action.deadline = office_action.deadline + datetime.timedelta(days=20)
    office_action.save()
    target = office_action.targets.order_by("position", "pk").first()
    target.emails = "new.address@example.org"
    target.save()
    Outcome.objects.create(
        action=office_action, kind=Outcome.Kind.RELEASED, happened_on=datetime.date(2026, 12, 1),
        public_note="Released on bail.",
    )  # fmt: skip
    # The cursor a section keeps stays a minute back (a late commit is not passed), so this pull sees it.
    result = subscription_pull(subscription)
    assert result.changed == [local.pk] and result.outcomes == 1
    local.refresh_from_db()
    assert local.deadline == office_action.deadline
    local_of = {remote: int(local) for local, remote in FeedEntry.objects.get().target_ids.items()}
    assert Target.objects.get(pk=local_of[target.pk]).emails == "new.address@example.org"
    assert "deadline" in FeedEntry.objects.get().changed_fields
    outcome = Outcome.objects.get(action=local)
    assert outcome.public_note == "Released on bail."
    # Offered to the section's members as a mailing, as an outcome recorded on this desk would be.
    assert Mailing.objects.filter(action=local, kind=Mailing.Kind.OUTCOME, outcome=outcome).exists()
    assert subscription_pull(subscription).outcomes == 0
    # The section's published copy is not fed on: a desk's feed holds its own actions only.
    assert FeedEntry.objects.count() == 1


def test_a_feed_signed_by_another_key_is_refused_and_nothing_taken(subscription):
    subscription.office_key = signing.public_text(Ed25519PrivateKey.generate())
    subscription.save()
    with pytest.raises(PullError, match="not signed by the office"):
        subscription_pull(subscription)
    assert not FeedEntry.objects.exists()
    subscription.refresh_from_db()
    assert "not signed" in subscription.last_error and subscription.failures == 1


def test_an_office_desk_that_is_down_leaves_the_section_as_it_was(subscription):
    from tests.conftest import free_port

    subscription.feed_url = f"http://127.0.0.1:{free_port()}/federation/feed"
    subscription.save()
    with pytest.raises(PullError, match="did not answer"):
        subscription_pull(subscription)
    assert not FeedEntry.objects.exists() and Subscription.objects.get().cursor == ""


def test_subscribing_checks_the_address_token_and_key_before_keeping_anything(live_server, granted, section):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="refused: 401"):
        subscription_create(
            name="x", feed_url=feed_url(live_server), token="uadf_wrong", office_key=desk_public_text(),
            section=section,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="Not a desk's key"):
        subscription_create(
            name="x",
            feed_url=feed_url(live_server),
            token=granted,
            office_key="ed25519:nope",
            section=section,
        )
    assert not Subscription.objects.exists()


def test_the_token_is_kept_sealed_and_hashed(subscription, granted):
    assert granted.encode() not in bytes(subscription.token_sealed)
    assert SectionAccess.objects.get().key_hash != granted and subscription.token == granted
    assert json.dumps(list(SectionAccess.objects.values("key_hash", "prefix"))).count(granted) == 0


def test_a_token_scoped_to_reports_only_may_not_read_the_feed(client, granted, section):
    SectionAccess.objects.filter(section=section).update(scope_feed=False)
    answer, _ = feed(client, granted)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_on_the_section_desk_the_action_is_the_sections_version_linking_the_original(
    client, subscription, office_action, section
):
    subscription_pull(subscription)
    local = FeedEntry.objects.get().action
    local.status = Action.Status.PUBLISHED
    local.save()
    answer = client.get(f"/en/actions/{local.slug}/?text=fr")
    assert answer.status_code == 302
    assert answer["Location"] == f"/en/sections/de/actions/{local.slug}/?text=fr"
    page = client.get(answer["Location"]).content.decode()
    assert "Localised by Deutsche Sektion" in page
    # "The international action" is the office's own page, on the office's desk.
    assert f'href="{subscription.office_origin}/en/actions/{office_action.slug}/"' in page
