"""Actions carry their own rules: open and closed by the deadline, and what may be published."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.conftest import SEED_DEADLINE, at
from uadesk.actions.models import Action, ModelLetter, Target
from uadesk.actions.services import actions_close_expired

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def make_action(**fields) -> Action:
    values = {"slug": "a", "title": "A", "summary": "S", "deadline": SEED_DEADLINE} | fields
    return Action.objects.create(**values)


def test_open_until_the_end_of_the_deadline_day():
    action = make_action(status=Action.Status.PUBLISHED)
    assert action.is_open(SEED_DEADLINE - DAY) and action.days_left(SEED_DEADLINE - DAY) == 1
    assert action.is_open(SEED_DEADLINE) and action.days_left(SEED_DEADLINE) == 0
    assert not action.is_open(SEED_DEADLINE + DAY) and action.is_closed(SEED_DEADLINE + DAY)
    assert action.days_left(SEED_DEADLINE + DAY) is None


def test_drafts_and_closed_actions_are_never_open():
    assert not make_action(slug="d").is_open(SEED_DEADLINE - DAY)
    closed = make_action(slug="c", status=Action.Status.CLOSED)
    assert not closed.is_open(SEED_DEADLINE - DAY) and closed.is_closed(SEED_DEADLINE - DAY)


def test_an_extension_keeps_the_action_open_and_needs_a_reason():
    action = make_action(status=Action.Status.PUBLISHED)
    with at(SEED_DEADLINE + 3 * DAY), pytest.raises(ValidationError) as error:
        action.extend_deadline(SEED_DEADLINE + 10 * DAY, "")
    assert "Say why the deadline is extended" in str(error.value)
    with at(SEED_DEADLINE + 3 * DAY):
        action.extend_deadline(SEED_DEADLINE + 10 * DAY, "The trial was postponed.")
    assert action.is_open(SEED_DEADLINE + 10 * DAY)
    assert not action.is_open(SEED_DEADLINE + 11 * DAY)


def test_an_extension_must_come_after_the_deadline():
    action = Action(slug="a", title="A", summary="S", deadline=SEED_DEADLINE)
    action.deadline_extended_to, action.deadline_extension_reason = SEED_DEADLINE - DAY, "r"
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "must come after the deadline (23 September 2022)" in str(error.value)
    with pytest.raises(IntegrityError):
        action.save()


def test_publishing_after_the_deadline_is_refused():
    action = make_action()
    with at(SEED_DEADLINE + DAY), pytest.raises(ValidationError) as error:
        action.publish()
    assert "The deadline 23 September 2022 has passed" in str(error.value)
    action.refresh_from_db()
    assert action.status == Action.Status.DRAFT


def test_publishing_before_the_deadline_stamps_the_time():
    action = make_action()
    with at(SEED_DEADLINE - DAY):
        action.publish()
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED
    assert action.published_at.date() == SEED_DEADLINE - DAY


def test_the_first_publication_is_stamped_once_and_kept():
    action = make_action()
    with at(SEED_DEADLINE - 5 * DAY):
        action.publish()
    first = action.published_at
    assert first.date() == SEED_DEADLINE - 5 * DAY
    with at(SEED_DEADLINE - 4 * DAY):
        action.title = "A, corrected"
        action.save()
        action.status = Action.Status.DRAFT
        action.save()
    with at(SEED_DEADLINE - 3 * DAY):
        action.publish()  # published again after a spell as a draft: still the first publication
    action.refresh_from_db()
    assert action.published_at == first and action.title == "A, corrected"


def test_a_status_saved_by_its_field_alone_stamps_the_publication_too():
    action = make_action()
    action.status = Action.Status.PUBLISHED
    with at(SEED_DEADLINE - DAY):
        action.save(update_fields=["status"])
    action.refresh_from_db()
    assert action.published_at.date() == SEED_DEADLINE - DAY
    assert make_action(slug="d").published_at is None


def test_the_database_refuses_a_published_action_without_deadline():
    with pytest.raises(IntegrityError):
        make_action(deadline=None, status=Action.Status.PUBLISHED)


def test_bad_languages_and_links_are_explained():
    action = make_action(
        preferred_languages="zh, Chinese", previous_ua_urls="https://example.org/ua\nnot a link"
    )
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    messages = error.value.message_dict
    assert messages["preferred_languages"] == ["“Chinese” is not a language code such as “en” or “zh”."]
    assert messages["previous_ua_urls"] == ["“not a link” is not a web address."]


def test_target_rules():
    action = make_action()
    target = Target(
        action=action, name="X", emails="ok@example.org\nnot-an-email", faxes="+86 10 6238 1025\ncall me"
    )
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert error.value.message_dict["emails"] == ["“not-an-email” is not an email address."]
    assert error.value.message_dict["faxes"][0].startswith("“call me” is not a fax number")
    target = Target(action=action, name="X", emails="ok@example.org", country="cn")
    target.full_clean()
    assert target.country == "CN" and target.email_list == ["ok@example.org"]


def test_a_letter_cannot_be_empty_and_one_per_language():
    action = make_action()
    with pytest.raises(ValidationError) as error:
        ModelLetter(action=action, language="en", body="  \n ").full_clean()
    assert "A model letter cannot be empty" in str(error.value)
    ModelLetter.objects.create(action=action, language="en", body="Release them.")
    with pytest.raises(ValidationError) as error:
        ModelLetter(action=action, language="en", body="Again.").full_clean()
    assert "already has a model letter in this language" in str(error.value)


def test_letter_text_joins_salutation_body_and_closing():
    letter = ModelLetter(salutation="Dear Minister", body="First.\n\nSecond.", closing="Yours sincerely,")
    assert letter.as_text() == "Dear Minister,\n\nFirst.\n\nSecond.\n\nYours sincerely,"
    assert letter.paragraphs == ["First.", "Second."]


def test_closing_expired_actions_is_safe_to_run_twice():
    expired = make_action(slug="e", status=Action.Status.PUBLISHED)
    extended = make_action(
        slug="x", status=Action.Status.PUBLISHED, deadline_extended_to=SEED_DEADLINE + 5 * DAY,
        deadline_extension_reason="r",
    )  # fmt: skip
    draft = make_action(slug="d")
    assert actions_close_expired(today=SEED_DEADLINE + DAY) == 1
    assert actions_close_expired(today=SEED_DEADLINE + DAY) == 0
    statuses = dict(Action.objects.values_list("slug", "status"))
    assert statuses == {expired.slug: "closed", extended.slug: "published", draft.slug: "draft"}


def test_a_target_is_reachable_by_the_channels_it_has_an_address_for():
    by_email = Target(name="Minister", honorific="Dr", emails="minister@justice.example")
    assert by_email.reachable_by("email") and by_email.reachable_by("mailto")
    assert not by_email.reachable_by("fax") and not by_email.reachable_by("post")
    assert by_email.unreachable_reason("fax") == (
        "Dr Minister has no fax number: choose email or post for them."
    )
    assert by_email.unreachable_reason("post") == (
        "Dr Minister has no postal address: choose email or fax for them."
    )
    by_email.email_failing_since = datetime.datetime(2022, 9, 1, tzinfo=datetime.UTC)
    assert by_email.unreachable_reason("mailto") == (
        "Letters to Dr Minister's email address come back: choose fax or post for them."
    )
    by_post = Target(name="Governor", faxes="+86 10 6238 1025", native_address="北京市")
    assert by_post.reachable_by("post") and by_post.reachable_by("fax")
    assert by_post.unreachable_reason("email") == (
        "Governor has no email address: choose fax or post for them."
    )
    with pytest.raises(ValueError):
        by_post.reachable_by("pigeon")


def test_a_letter_opens_with_the_targets_salutation_else_the_model_letters_for_the_primary_target():
    letter = ModelLetter(language="en", salutation="Your Excellency", body="Release them.")
    own = Target(name="Xi Jinping", honorific="President", salutation="Dear President")
    primary = Target(name="Xi Jinping", honorific="President", role=Target.Role.PRIMARY)
    copy = Target(name="Ma Xingrui", role=Target.Role.COPY)
    assert own.salutation_for(letter) == "Dear President"
    assert primary.salutation_for(letter) == "Your Excellency"
    assert primary.salutation_for(None) == "Dear President Xi Jinping"
    assert primary.salutation_for(ModelLetter(language="en", body="x")) == "Dear President Xi Jinping"
    assert copy.salutation_for(letter) == "Dear Ma Xingrui"
