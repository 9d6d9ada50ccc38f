"""Signing: the form, the confirmation email, its single-use link, dedupe in every spelling, households."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import confirm_links
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.petitions.models import Signature, Submission
from uadesk.supporters.models import Supporter

from .conftest import form_data, sign


@pytest.fixture(autouse=True)
def small_pow(settings):
    settings.PETITION_POW_MAX_NUMBER = 500
    settings.PETITION_RATE_PER_ADDRESS = 0
    settings.PETITION_RATE_PER_NETWORK = 0


def test_the_page_shows_the_form_with_consents_unticked_and_a_challenge(client, petition):
    page = client.get(petition.get_absolute_url()).content.decode()
    assert 'name="consent_case_updates"' in page and 'name="consent_org_news"' in page
    assert "checked" not in page
    assert 'name="challenge"' in page and "petitions/pow.js" in page
    assert "0 signatures" in page


def test_signing_takes_one_row_and_the_worker_sends_the_confirmation(
    client, petition, immediate_tasks, process
):
    mailbox = immediate_tasks
    response = sign(client, petition, consent_case_updates="on")
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert Submission.objects.count() == 1 and Signature.objects.count() == 0
    assert b"ada@example.org" not in bytes(Submission.objects.get().email_sealed)
    assert process() == 1
    [message] = mailbox.wait_for(1)
    assert message["To"] == "ada@example.org"
    assert "Release Ilham Tohti" in message["Subject"]
    signature = Signature.objects.get()
    assert signature.name == "Ada Lovelace" and signature.country == "GB"
    assert signature.consent_case_updates and not signature.consent_org_news
    assert not signature.is_confirmed and petition.count() == 0
    # The personal data leaves the queue once taken.
    assert Submission.objects.get().name == "" and bytes(Submission.objects.get().email_sealed) == b""

    [link] = confirm_links(mailbox.messages)
    assert client.get(link).status_code == 200  # a mail scanner opening the link confirms nothing
    assert not Signature.objects.get().is_confirmed
    assert client.post(link).status_code == 200
    signature.refresh_from_db()
    assert signature.is_confirmed and signature.token_hash is None
    assert client.post(link).status_code == 410  # single use
    petition_cache_cleared(petition)
    assert petition.count() == 1


def petition_cache_cleared(petition):
    from django.core.cache import cache

    cache.delete(petition.count_cache_key)


@pytest.mark.parametrize(
    "spelling", ["Ada.Lovelace+petition@gmail.com", "ADALOVELACE@googlemail.com", " adalovelace@Gmail.com "]
)
def test_the_same_person_in_any_spelling_signs_once_and_is_told_kindly(
    client, petition, immediate_tasks, spelling, process
):
    mailbox = immediate_tasks
    sign(client, petition, email="adalovelace@gmail.com")
    process()
    [link] = confirm_links(mailbox.wait_for(1))
    client.post(link)
    Signature.objects.update(emailed_at=None)  # an hour later
    response = sign(client, petition, email=spelling, name="  ada   LOVELACE ")
    # The page says the same to everyone: it never tells a stranger that an address signed.
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    process()
    messages = mailbox.wait_for(2)
    assert Signature.objects.count() == 1 and Supporter.objects.count() == 1
    assert "already signed" in messages[1]["Subject"]
    assert confirm_links(messages[1:]) == []


def test_signing_again_before_confirming_sends_a_new_link_and_the_old_one_stops(
    client, petition, immediate_tasks, process
):
    mailbox = immediate_tasks
    sign(client, petition)
    process()
    Signature.objects.update(emailed_at=None)
    sign(client, petition)
    process()
    first, second = confirm_links(mailbox.wait_for(2))
    assert Signature.objects.count() == 1
    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 200


def test_a_repeat_within_the_hour_sends_no_second_email(client, petition, immediate_tasks, process):
    mailbox = immediate_tasks
    sign(client, petition)
    sign(client, petition)
    process()
    assert len(mailbox.wait_for(1)) == 1
    assert Signature.objects.count() == 1


def test_a_household_signs_under_several_names_up_to_the_limit(
    client, petition, immediate_tasks, settings, process
):
    settings.PETITION_SIGNATURES_PER_EMAIL = 3
    mailbox = immediate_tasks
    for name in ["Ada", "Byron", "Annabella", "Charles"]:
        sign(client, petition, name=name, email="family@example.org")
    process()
    messages = mailbox.wait_for(4)
    assert sorted(Signature.objects.values_list("name", flat=True)) == ["Ada", "Annabella", "Byron"]
    assert sorted(Signature.objects.values_list("household_place", flat=True)) == [1, 2, 3]
    assert len(confirm_links(messages)) == 3
    assert any("About your signature" in m["Subject"] for m in messages)


def test_each_email_carries_the_data_page_link_when_the_supporters_app_has_it(
    client, petition, immediate_tasks, process
):
    pytest.importorskip("uadesk.supporters.links")
    sign(client, petition)
    process()
    [message] = immediate_tasks.wait_for(1)
    assert "/supporters/" in message.get_body(("plain",)).get_content()


def test_errors_keep_what_was_typed_with_a_fresh_challenge(client, petition):
    data = form_data(client, petition, email="not an email", name="Grace Hopper")
    response = client.post(petition.get_absolute_url(), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Grace Hopper"' in page and 'value="not an email"' in page
    assert data["challenge"] not in page
    assert Submission.objects.count() == 0


def test_bad_input_gives_form_errors_never_a_traceback(client, petition):
    url = petition.get_absolute_url()
    for data in [
        {},
        {"challenge": "x"},
        {"name": "A", "email": "a@b.org", "country": "ZZ", "challenge": ":::"},
    ]:
        assert client.post(url, data).status_code == 400
    assert client.post(reverse("petitions:confirm", kwargs={"token": "x" * 300})).status_code == 410


def test_the_honeypot_looks_like_success_and_keeps_nothing(client, petition):
    response = sign(client, petition, website="http://spam.example")
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert Submission.objects.count() == 0


def test_a_closed_petition_takes_no_signature(client, petition):
    data = form_data(client, petition)
    petition.accepting = False
    petition.save()
    assert client.post(petition.get_absolute_url(), data).status_code == 410
    assert Submission.objects.count() == 0
    assert "closed" in client.get(petition.get_absolute_url()).content.decode()


def test_a_petition_of_a_closed_action_is_closed(seed_action):
    from uadesk.petitions.models import Petition

    petition = Petition.objects.create(action=seed_action, slug="p", title="P", text="T")
    assert not petition.is_open()  # the seed action's deadline has passed


def test_a_confirmation_whose_sender_died_mid_send_goes_again_after_its_lease_and_no_more_that_hour(
    client, petition, immediate_tasks, settings, process
):
    mailbox = immediate_tasks
    sign(client, petition)
    with django_settings_tasks_deferred(settings):
        process()  # its email waits in the outbox
    [message] = Message.objects.filter(kind="petition-email")
    # As a worker killed between its claim and the mail server's answer leaves it: claimed, not sent.
    Message.objects.filter(pk=message.pk).update(
        status="sending", claimed_by="dead", claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert deliver_messages.call() == 1
    assert len(mailbox.wait_for(1)) == 1
    # Signing again within the hour queues nothing more: the inbox is not flooded.
    sign(client, petition)
    process()
    assert Message.objects.filter(kind="petition-email").count() == 1
    assert len(mailbox.messages) == 1


class django_settings_tasks_deferred:
    """Tasks queued in the database rather than run at once: the outbox's run waits for the test."""

    def __init__(self, settings):
        self.settings = settings

    def __enter__(self):
        self.before = self.settings.TASKS
        self.settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    def __exit__(self, *exc):
        self.settings.TASKS = self.before
