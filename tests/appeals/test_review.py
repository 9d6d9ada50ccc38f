"""Letters with links or listed words, or that differ from the model where the action asks, wait for staff."""

import datetime
import uuid

import pytest

from tests.conftest import at
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit, appeals_hold, appeals_release
from uadesk.delivery.models import Message, RunKick

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def submit(action, letter, language="en"):
    xi = action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        [appeal] = appeal_submit(
            action=action, targets=[xi], channel="email", language=language, subject="s",
            letters={xi.pk: letter}, writer=Writer(name="Ada"), key=uuid.uuid4(),
        )  # fmt: skip
    return appeal


def model_letter(action):
    return f"Dear President Xi Jinping,\n\n{action.letters.get().body}\n\nAda"


def test_a_letter_with_a_link_is_always_held(seed_action):
    assert submit(seed_action, "Dear Sir,\n\nSee www.example.org now.").status == "held"
    assert submit(seed_action, "Dear Sir,\n\nSee HTTPS://example.org/x").status == "held"


def test_listed_words_hold_a_letter(seed_action):
    seed_action.held_words = "idiot\nburn"
    seed_action.save()
    assert submit(seed_action, "Dear Sir, you IDIOT.").status == "held"
    assert submit(seed_action, "Dear Sir, please release them.").status == "queued"


def test_review_holds_only_letters_that_differ_from_the_model(seed_action):
    seed_action.review_letters = True
    seed_action.save()
    assert submit(seed_action, model_letter(seed_action)).status == "queued"
    assert submit(seed_action, "Dear Sir, in my own words: release them.").status == "held"
    assert submit(seed_action, "In my own language.", language="").status == "held"


def test_staff_release_and_hold(seed_action, django_capture_on_commit_callbacks):
    held = submit(seed_action, "Read www.example.org")
    queued = submit(seed_action, "Release them.")
    with django_capture_on_commit_callbacks(execute=True):
        assert appeals_release(appeals=Appeal.objects.filter(pk=held.pk)) == 1
    assert RunKick.objects.get().pending
    assert appeals_hold(appeals=Appeal.objects.filter(pk=queued.pk)) == 1
    held.refresh_from_db()
    queued.refresh_from_db()
    assert (held.status, queued.status) == ("queued", "held")
    # A held appeal is never taken by a delivery run.
    assert queued.delivery() not in Message.objects.due(datetime.datetime.now(datetime.UTC))
    assert queued.delivery().status == "held"
