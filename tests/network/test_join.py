"""Joining the network: a public page with the members' choices and the consent beside the button; double
opt-in through the outbox (the link opens a page, its button makes the member); one answer whoever asks,
and no email at all to an address not to be mailed."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.network.member_fixtures import member_make, paths_in, theme_make
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.network.models import Member, Suppression
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
JOIN = reverse("network:join")


def join_data(email: str, **changes) -> dict:
    data = {
        "email": email, "language": "fr", "other_languages": ["en", "fr"], "channel": "email", "cases": "2",
        "countries": ["CN"],
    }  # fmt: skip
    return data | changes


def page_text(response) -> str:
    """The page, but for the CSRF token (masked anew for every answer)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_page_offers_the_choices_and_shows_the_consent_beside_the_button(client, seed_action):
    theme_make()
    html = client.get(JOIN).content.decode()
    # Languages of the desk and more; the countries of the published cases, named; the staff's themes.
    for words in ["French", "Chinese", "German", "China", "Death penalty", "At most 4 cases in any 30 days"]:
        assert words in html, words
    consent = html.index('class="consent"')
    assert html.index("This Urgent Action network sends you Urgent Actions") > consent
    assert f"consent version {settings.NETWORK_CONSENT_VERSION}" in html
    assert consent < html.index('<button type="submit" class="button">Join</button>')
    # The home page and every page's footer lead here.
    home = client.get(reverse("actions:list")).content.decode()
    assert home.count(f'href="{JOIN}"') == 2


def test_in_chinese_the_page_names_the_countries_in_chinese(client, seed_action):
    html = client.get(reverse("network:join").replace("/en/", "/zh-hans/")).content.decode()
    assert "中国" in html


def test_joining_through_the_outbox_and_the_button_of_the_email(client, seed_action, smtp_server):
    theme = theme_make()
    mailbox, _ = smtp_server
    answer = client.post(JOIN, join_data("Ana.Silva@example.org", themes=[theme.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("network:join_sent")
    member = Member.objects.get()
    assert (member.status, member.source, member.consented_at) == ("pending", "site", None)
    assert deliver_messages.call() == 1
    [email] = mailbox.wait_for(1)
    assert email.envelope_recipients == ["Ana.Silva@example.org"]
    assert email["Subject"] == "Confirm that you want Urgent Actions"
    assert "List-Unsubscribe" not in email  # asked for a moment ago
    [confirm] = paths_in(email, r"/network/member/[^/]+/confirm/$")
    assert confirm in email.get_body(("html",)).get_content()

    # Opening the link changes nothing (mail scanners open links): a page with the choices and a button.
    page = client.get(confirm).content.decode()
    assert "Yes, send me Urgent Actions" in page and "At most 2 cases in any 30 days" in page
    assert "French, English" in page and "China" in page and "Death penalty" in page
    assert "This Urgent Action network sends you Urgent Actions" in page
    member.refresh_from_db()
    assert member.status == "pending"

    done = client.post(confirm)
    assert done.status_code == 200 and "Welcome to the network" in done.content.decode()
    member.refresh_from_db()
    assert member.status == "active" and member.confirmed_at is not None
    assert member.consent_version == settings.NETWORK_CONSENT_VERSION and member.consented_at is not None
    assert member.consent_text.startswith("This Urgent Action network sends you Urgent Actions as you choose")
    assert "<" not in member.consent_text
    assert (member.languages, member.most_per_30_days, member.countries, member.channel) == (
        "fr, en", 2, "CN", "email",
    )  # fmt: skip
    assert list(member.themes.all()) == [theme]
    # Pressing again, or opening the link later, leads to their choices.
    assert client.get(confirm)["Location"].endswith(confirm.removesuffix("confirm/"))


def test_post_members_give_a_postal_address_kept_sealed(client, seed_action):
    data = join_data(
        "post@example.org", channel="post", postal_address="Ana Silva\n3 rue Haute\nLyon", postcode="69001"
    )
    assert client.post(JOIN, data).status_code == 302
    member = Member.objects.get()
    assert member.postal_address == "Ana Silva\n3 rue Haute\nLyon" and member.postcode == "69001"
    assert b"rue Haute" not in bytes(member.postal_sealed)


def test_the_answer_is_the_same_for_a_member_a_stranger_and_an_address_not_to_mail(client, seed_action):
    known = member_make("ada@example.org", most_per_30_days=1, countries="IR")
    Suppression.add(crypto.email_hash("gone@example.org"), Suppression.Reason.UNSUBSCRIBED)
    answers = [
        client.post(JOIN, join_data(email))
        for email in ["ADA@example.org", "nobody@example.org", "Gone@example.org"]
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("network:join_sent"))}
    sent = page_text(client.get(answers[0]["Location"]))
    assert "An email is on its way" in sent and "already" not in sent
    # A stranger's form changed nothing of the member's choices; the address not to mail got no row.
    known.refresh_from_db()
    assert (known.status, known.most_per_30_days, known.countries, known.languages) == (
        "active",
        1,
        "IR",
        "en",
    )
    assert Supporter.find("gone@example.org") is None
    assert sorted(Message.objects.values_list("kind", "ref")) == sorted(
        [("member-confirm", known.pk), ("member-confirm", Member.objects.get(status="pending").pk)]
    )


def test_a_member_asking_again_gets_the_link_to_their_choices(client, seed_action, smtp_server):
    mailbox, _ = smtp_server
    member_make("ada@example.org", language="fr")
    client.post(JOIN, join_data("ada@example.org", cases="4"))
    deliver_messages.call()
    [email] = mailbox.wait_for(1)
    assert "List-Unsubscribe" not in email
    [choices] = paths_in(email, r"/network/member/[^/]+/$")
    assert choices.startswith("/fr/")  # in their own language
    page = client.get(choices)
    assert page.status_code == 200 and 'name="cases"' in page.content.decode()
    assert Member.objects.get().most_per_30_days is None


def test_an_address_suppressed_after_joining_gets_no_email(client, seed_action, smtp_server):
    mailbox, _ = smtp_server
    client.post(JOIN, join_data("ana@example.org"))
    Suppression.add(crypto.email_hash("ana@example.org"), Suppression.Reason.HARD_BOUNCE)
    assert deliver_messages.call() == 0
    message = Message.objects.get()
    assert (message.status, message.last_error) == ("cancelled", "the address is not to be mailed")
    assert mailbox.messages == []


def test_bad_input_is_a_form_error_and_queues_nothing(client, seed_action):
    bad_email = client.post(JOIN, join_data("not an address"))
    assert bad_email.status_code == 400 and "Enter a valid email address" in bad_email.content.decode()
    no_address = client.post(JOIN, join_data("ana@example.org", channel="post"))
    assert no_address.status_code == 400
    assert "Cases by post need your name and postal address." in no_address.content.decode()
    unknown = client.post(JOIN, join_data("ana@example.org", language="xx", countries=["ZZ"], cases="3"))
    assert unknown.status_code == 400
    assert unknown.content.decode().count("Select a valid choice") == 3
    assert not Message.objects.exists() and not Member.objects.exists()


def test_joining_is_rate_limited_per_connection_and_per_inbox(client, seed_action, settings):
    settings.NETWORK_JOIN_RATE_PER_ADDRESS = 3
    answers = [client.post(JOIN, join_data(f"s{n}@example.org")).status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    settings.NETWORK_JOIN_RATE_PER_ADDRESS = 100
    settings.NETWORK_JOIN_EMAILS_PER_EMAIL = 2
    answers = [client.post(JOIN, join_data("same@example.org")) for _ in range(4)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("network:join_sent"))}
    same = Member.objects.get(supporter__email_hash=crypto.email_hash("same@example.org"))
    assert Message.objects.filter(ref=same.pk).count() == 2


def test_the_outbox_names_the_member_only_by_number(client, seed_action):
    client.post(JOIN, join_data("ana@example.org"))
    message = Message.objects.get()
    assert message.params == {} and message.ref == Member.objects.get().pk
