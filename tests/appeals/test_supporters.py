"""Appeals and the supporter behind them, once they confirmed their email: one letter to a target per
action; erasure keeps the count."""

import datetime

import pytest
from django.db import connection

from tests.appeals.helpers import compose_send, confirm
from tests.conftest import at
from uadesk.appeals import services
from uadesk.appeals.models import Appeal, EmailConfirmation, Reply
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def send(client, action, targets, email="Ada.Lovelace@gmail.com", channel="post", *, confirmed=True):
    """The compose form sent; its writer confirms the email they gave, unless told otherwise."""
    with at(OPEN_DAY):
        key, response = compose_send(
            client, action, targets, email=email, channel=channel, name="Ada Lovelace"
        )
        if response.status_code == 302 and email and confirmed:
            confirm(key)
    return response, key


def statuses(key) -> list[str]:
    return list(
        Appeal.objects.filter(submission=key).order_by("target__position").values_list("status", flat=True)
    )


def test_one_appeal_per_supporter_per_target_in_any_spelling_of_their_email(client, seed_action):
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    assert send(client, seed_action, [xi])[0].status_code == 302
    # The form answers as for anyone; once the address is confirmed, the letter to Xi Jinping is
    # withdrawn, and the one to the target not yet written to stands.
    again, key = send(client, seed_action, [xi, ma], email="adalovelace+again@gmail.com")
    assert again.status_code == 302
    assert statuses(key) == ["withdrawn", "awaiting"]
    _, key = send(client, seed_action, [ma], email="ADALOVELACE@gmail.com")
    assert statuses(key) == ["withdrawn"]
    assert Supporter.objects.count() == 1
    assert Appeal.objects.filter(supporter__isnull=False).count() == 4
    # Someone else may still write to the same target.
    assert statuses(send(client, seed_action, [xi], email="grace@example.org")[1]) == ["awaiting"]


def test_a_letter_not_confirmed_counts_against_nobody(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    _, unconfirmed = send(client, seed_action, [xi], confirmed=False)
    assert Appeal.objects.get(submission=unconfirmed).supporter is None
    assert not Supporter.objects.exists()
    assert statuses(send(client, seed_action, [xi])[1]) == ["awaiting"]
    # Confirmed last, the first form's letter is now the one over the limit.
    with at(OPEN_DAY):
        assert [a.status for a in confirm(unconfirmed).over_limit] == ["withdrawn"]


def test_a_failed_letter_does_not_use_up_the_supporters_appeal(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    send(client, seed_action, [xi])
    Appeal.objects.update(status=Appeal.Status.FAILED)
    assert statuses(send(client, seed_action, [xi])[1]) == ["awaiting"]


def test_the_limit_is_a_setting(client, seed_action, settings):
    settings.APPEALS_PER_SUPPORTER_PER_TARGET = 2
    xi = seed_action.targets.get(name="Xi Jinping")
    assert [statuses(send(client, seed_action, [xi])[1]) for _ in range(3)] == [
        ["awaiting"],
        ["awaiting"],
        ["withdrawn"],
    ]


def test_without_an_email_there_is_no_supporter_record(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    assert send(client, seed_action, [xi], email="", channel="post")[0].status_code == 302
    assert Appeal.objects.get().supporter is None
    assert not Supporter.objects.exists() and not EmailConfirmation.objects.exists()


def test_the_email_is_not_stored_in_the_clear(client, seed_action):
    send(client, seed_action, [seed_action.targets.get(name="Xi Jinping")])
    send(client, seed_action, [seed_action.targets.get(name="Ma Xingrui")], confirmed=False)
    assert Supporter.objects.exists() and EmailConfirmation.objects.exists()
    with connection.cursor() as cursor:
        for model in (Appeal, Supporter, EmailConfirmation):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 - our own table names
            assert "lovelace@" not in repr(cursor.fetchall()).lower()


def test_erasure_keeps_the_count_and_withdraws_letters_not_yet_sent(client, seed_action):
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    send(client, seed_action, [xi, ma])
    sent, waiting = Appeal.objects.order_by("target__position")
    Appeal.objects.filter(pk=sent.pk).update(status=Appeal.Status.POSTED)
    Reply.objects.create(appeal=sent, text="Dear Ada Lovelace of Lyon: no.")
    supporter = Supporter.objects.get()
    data = services.supporter_data(supporter)
    assert {a["target"] for a in data["appeals"]} == {"Xi Jinping", "Ma Xingrui"}
    assert all("Ada Lovelace" in a["letter"] for a in data["appeals"])
    assert [r["text"] for a in data["appeals"] for r in a["replies"]] == ["Dear Ada Lovelace of Lyon: no."]

    services.forget_supporter(supporter)
    supporter.delete()
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.status, sent.supporter, sent.supporter_name, sent.body) == ("posted", None, "", "")
    assert Reply.objects.get().text == ""
    assert waiting.status == "withdrawn" and "erased" in waiting.last_error
    assert services.appeal_counts(action=seed_action)["total"] == {"": 1}


def test_one_inbox_gets_a_few_confirmation_emails_an_hour_whoever_writes(
    client, seed_action, settings, smtp_server
):
    from uadesk.delivery.models import Message
    from uadesk.delivery.tasks import deliver_messages

    mailbox, _ = smtp_server
    settings.APPEAL_CONFIRM_EMAILS_PER_EMAIL = 2
    xi = seed_action.targets.get(name="Xi Jinping")
    keys = [send(client, seed_action, [xi], confirmed=False)[1] for _ in range(3)]
    with at(OPEN_DAY):
        deliver_messages.call()
    refs = [EmailConfirmation.objects.get(submission=k).pk for k in keys]
    messages = Message.objects.of("letters-confirmation", refs).order_by("ref")
    assert [m.status for m in messages] == ["sent", "sent", "cancelled"]
    assert "too many" in messages[2].last_error
    assert [m["Subject"] for m in mailbox.wait_for(2)] == ["Confirm your letters"] * 2
