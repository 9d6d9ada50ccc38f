"""The compose form tells nobody whether an address belongs to a supporter, nor whom they wrote to.

Anyone can type anyone's address: the answer is the same for a known and an unknown one, and a
letter counts against an address (refuses its owner, shows on their data page, brings them news)
only once the owner confirms it from the email sent there.
"""

import datetime
import re
import subprocess

import pytest
from django.utils import timezone

from tests.appeals.helpers import compose_send
from uadesk.appeals import services
from uadesk.appeals.models import Appeal
from uadesk.supporters.links import data_url
from uadesk.supporters.models import Supporter
from uadesk.supporters.services import export

VICTIM = "ada.lovelace@gmail.com"


def compose(client, action, targets, email, channel="email"):
    return compose_send(client, action, targets, email=email, channel=channel)


def victim_wrote(action, target) -> Supporter:
    """The known supporter: they gave their address before, and their letter to `target` went."""
    supporter = Supporter.for_email(VICTIM)
    Appeal.objects.create(
        action=action, target=target, channel="post", subject="s", body="Their own letter.",
        supporter_name="Ada Lovelace", supporter=supporter, status=Appeal.Status.POSTED,
        sent_at=timezone.now(),
    )  # fmt: skip
    return supporter


def page_text(response, key) -> str:
    """The page, but for its submission key and the CSRF token (masked anew for every answer)."""
    html = response.content.decode().replace(str(key), "KEY")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def confirm_links(messages) -> list[str]:
    links = []
    for message in messages:
        links += re.findall(
            r"((?:/[\w-]+)?/appeals/confirm/[^/\s]+/)", message.get_body(("plain",)).get_content()
        )
    return links


@pytest.mark.django_db
def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, open_action):
    xi = open_action.targets.get(name="Xi Jinping")
    supporter = victim_wrote(open_action, xi)
    held_before = export(supporter)

    known_key, known = compose(client, open_action, [xi], VICTIM.upper())
    unknown_key, unknown = compose(client, open_action, [xi], "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"].replace(known_key, "KEY") == unknown["Location"].replace(unknown_key, "KEY")
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    known_html = page_text(known_page, known_key)
    assert known_html == page_text(unknown_page, unknown_key)
    assert "One step left" in known_html and "already written" not in known_html

    # The owner's data page shows nothing new, their letter to Xi Jinping is still their only one,
    # and the letter in their name waits for their confirmation, with nobody behind it.
    assert export(supporter) == held_before
    assert "Please release everyone detained" not in client.get(data_url(supporter)).content.decode()
    assert list(Appeal.objects.filter(supporter=supporter).values_list("body", flat=True)) == [
        "Their own letter."
    ]
    assert set(Appeal.objects.filter(submission=known_key).values_list("status", "supporter")) == {
        ("unconfirmed", None)
    }


@pytest.mark.django_db
def test_a_letter_in_someones_name_does_not_use_up_their_limit(client, open_action):
    xi, ma = open_action.targets.get(name="Xi Jinping"), open_action.targets.get(name="Ma Xingrui")
    supporter = victim_wrote(open_action, xi)
    _, response = compose(client, open_action, [ma], VICTIM.upper(), channel="post")  # in the owner's name
    assert response.status_code == 302
    # The owner themselves writes to Ma Xingrui: not refused, and waiting for their own confirmation.
    key, response = compose(client, open_action, [ma], VICTIM, channel="post")
    assert response.status_code == 302
    assert Appeal.objects.filter(supporter=supporter).count() == 1
    assert services.already_written(action=open_action, targets=[xi, ma], supporter=supporter) == [xi]


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_once_confirmed_the_letter_goes_and_one_over_the_limit_is_withdrawn(
    client, open_action, uadesk_bin, worker_env, smtp_server
):
    mailbox, _ = smtp_server
    xi, ma = open_action.targets.get(name="Xi Jinping"), open_action.targets.get(name="Ma Xingrui")
    supporter = victim_wrote(open_action, ma)
    theirs, _ = compose(client, open_action, [xi, ma], VICTIM.upper(), channel="post")  # in the owner's name
    mine, _ = compose(client, open_action, [xi], VICTIM)  # the owner's own letter, by the desk's email
    assert set(Appeal.objects.filter(submission=mine).values_list("status", flat=True)) == {"unconfirmed"}
    run_worker(uadesk_bin, worker_env)
    messages = mailbox.wait_for(2)
    assert len(messages) == 2 and all(m.envelope_recipients[0].lower() == VICTIM for m in messages)
    assert {m["Subject"] for m in messages} == {"Confirm your letters"}
    # The letters written in the owner's name are to both; the owner's own is to Xi Jinping alone.
    [their_link] = confirm_links(m for m in messages if "Ma Xingrui" in m.get_body(("plain",)).get_content())
    [my_link] = confirm_links(m for m in messages if "Ma Xingrui" not in m.get_body(("plain",)).get_content())
    mailbox.messages.clear()

    # The link shows a button (mail scanners open links), the button confirms.
    assert client.get(my_link).status_code == 200
    assert not Appeal.objects.filter(submission=mine, supporter=supporter).exists()
    page = client.post(my_link)
    assert page.status_code == 200 and "the desk is sending your letter now" in page.content.decode()
    run_worker(uadesk_bin, worker_env)
    # The letter, and the owner's receipt of it.
    [letter] = [m for m in mailbox.wait_for(2) if m["Message-ID"].startswith("<appeal-")]
    assert letter["Reply-To"] == VICTIM and letter.envelope_recipients == ["english@mail.gov.cn"]
    assert Appeal.objects.get(submission=mine).status == "sent"
    # Once only: pressed again, the link shows the letter as it stands and sends nothing more.
    again = client.post(my_link).content.decode()
    assert "<strong>Xi Jinping</strong>: Sent" in again and "the desk is sending" not in again

    # Were the owner to confirm the letters written in their name too, both are over their limit now.
    page = client.post(their_link).content.decode()
    assert "You have already written to Xi Jinping, Ma Xingrui for this action" in page
    assert set(Appeal.objects.filter(submission=theirs).values_list("status", flat=True)) == {"withdrawn"}
    assert "You have already written to Xi Jinping, Ma Xingrui" in client.post(their_link).content.decode()
    run_worker(uadesk_bin, worker_env)
    assert Appeal.objects.filter(status="sent").count() == 1  # the owner's letter, no more
    assert Appeal.objects.filter(supporter=supporter).count() == 4
    assert [m for m in mailbox.messages if m["Message-ID"].startswith("<appeal-")] == [letter]
    # No receipt for letters withdrawn when confirmed: only the one for the letter that went.
    assert [m["Subject"].startswith("Your letters for") for m in mailbox.messages].count(True) == 1


@pytest.mark.django_db
def test_letters_never_confirmed_are_withdrawn_and_the_address_forgotten(client, open_action, settings):
    from uadesk.appeals.models import EmailConfirmation

    xi = open_action.targets.get(name="Xi Jinping")
    key, _ = compose(client, open_action, [xi], "nobody@example.org")
    later = timezone.now() + datetime.timedelta(days=settings.APPEAL_CONFIRM_DAYS, minutes=1)
    assert services.appeals_expire_unconfirmed(now=later) == 1
    assert Appeal.objects.get(submission=key).status == "withdrawn"
    assert not EmailConfirmation.objects.exists()


def run_worker(uadesk_bin, env):
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--interval=0.1"], env=env, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr.decode()[-3000:]
