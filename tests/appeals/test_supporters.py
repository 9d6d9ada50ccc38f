"""Appeals and the supporter behind them: one letter to a target per action; erasure keeps the count."""

import datetime
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import at
from uadesk.appeals import services
from uadesk.appeals.models import Appeal
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def send(client, action, targets, email="Ada.Lovelace@gmail.com", channel="post"):
    data = {
        "key": str(uuid.uuid4()),
        "targets": [t.pk for t in targets],
        "language": "en",
        "channel": channel,
        "body": "Please release everyone detained.\n\nYours sincerely,",
        "name": "Ada Lovelace",
        "town": "Lyon",
        "country": "fr",
        "email": email,
        "step": "send",
    }
    with at(OPEN_DAY):
        return client.post(reverse("appeals:compose", kwargs={"slug": action.slug}), data)


def test_one_appeal_per_supporter_per_target_in_any_spelling_of_their_email(client, seed_action):
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    assert send(client, seed_action, [xi]).status_code == 302
    again = send(client, seed_action, [xi, ma], email="adalovelace+again@gmail.com")
    assert again.status_code == 400
    assert "You have already written to Xi Jinping for this action" in again.content.decode()
    # The refused form wrote nothing, not even the letter to the target not yet written to.
    assert Appeal.objects.count() == 1
    assert send(client, seed_action, [ma], email="ADALOVELACE@gmail.com").status_code == 302
    assert Appeal.objects.count() == 2
    assert Supporter.objects.count() == 1
    # Someone else may still write to the same target.
    assert send(client, seed_action, [xi], email="grace@example.org").status_code == 302


def test_a_failed_letter_does_not_use_up_the_supporters_appeal(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    send(client, seed_action, [xi])
    Appeal.objects.update(status=Appeal.Status.FAILED)
    assert send(client, seed_action, [xi]).status_code == 302


def test_the_limit_is_a_setting(client, seed_action, settings):
    settings.APPEALS_PER_SUPPORTER_PER_TARGET = 2
    xi = seed_action.targets.get(name="Xi Jinping")
    assert [send(client, seed_action, [xi]).status_code for _ in range(3)] == [302, 302, 400]


def test_without_an_email_there_is_no_supporter_record(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    assert send(client, seed_action, [xi], email="", channel="post").status_code == 302
    assert Appeal.objects.get().supporter is None
    assert not Supporter.objects.exists()


def test_the_email_is_not_stored_in_the_clear(client, seed_action):
    send(client, seed_action, [seed_action.targets.get(name="Xi Jinping")])
    with connection.cursor() as cursor:
        for table in (Appeal._meta.db_table, Supporter._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            assert "lovelace@" not in repr(cursor.fetchall()).lower()


def test_erasure_keeps_the_count_and_withdraws_letters_not_yet_sent(client, seed_action):
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    send(client, seed_action, [xi, ma])
    sent, waiting = Appeal.objects.order_by("target__position")
    Appeal.objects.filter(pk=sent.pk).update(status=Appeal.Status.POSTED)
    supporter = Supporter.objects.get()
    data = services.supporter_data(supporter)
    assert {a["target"] for a in data["appeals"]} == {"Xi Jinping", "Ma Xingrui"}
    assert all("Ada Lovelace" in a["letter"] for a in data["appeals"])

    services.forget_supporter(supporter)
    supporter.delete()
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.status, sent.supporter, sent.supporter_name, sent.body) == ("posted", None, "", "")
    assert waiting.status == "failed" and "erased" in waiting.last_error
    assert services.appeal_counts(action=seed_action)["total"] == {"": 1}
