"""A supporter composes, previews and sends an appeal; on an error the form keeps what was typed."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from tests.appeals.helpers import confirm
from tests.conftest import SEED_DEADLINE, at, desk_callbacks
from uadesk.actions.models import Target
from uadesk.appeals.models import Appeal

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def compose_url(action):
    return reverse("appeals:compose", kwargs={"slug": action.slug})


def form_data(action, **changes):
    xi = action.targets.get(name="Xi Jinping")
    data = {
        "key": str(uuid.uuid4()),
        "targets": [xi.pk],
        "language": "en",
        "channel": "email",
        "body": "Please release everyone detained in Xinjiang.\n\nYours sincerely,",
        "name": "Ada Lovelace",
        "town": "Lyon",
        "country": "fr",
        "email": "ada@example.org",
    }
    return data | changes


def test_the_form_starts_with_the_primary_target_and_the_model_letter(client, seed_action):
    with at(OPEN_DAY):
        html = client.get(compose_url(seed_action)).content.decode()
    xi = seed_action.targets.get(name="Xi Jinping")
    assert re.search(rf'value="{xi.pk}"[^>]*checked', html)
    assert "I am distressed to learn that 120 people" in html
    assert "Yours sincerely," in html
    assert "My own language" in html


def test_preview_shows_exactly_what_will_be_sent(client, seed_action):
    with at(OPEN_DAY):
        html = client.post(
            compose_url(seed_action), form_data(seed_action) | {"step": "preview"}
        ).content.decode()
    expected = (
        "Dear President Xi Jinping,\n\nPlease release everyone detained in Xinjiang.\n\n"
        "Yours sincerely,\n\nAda Lovelace, Lyon"
    )
    assert f'<pre class="letter-text" lang="en" dir="ltr">{expected}</pre>' in html
    assert not Appeal.objects.exists()


ARABIC_BODY = "أكتب إليكم للتعبير عن قلقي البالغ إزاء احتجاز 48 شخصًا.\n\nمع خالص التحيات،"


@pytest.mark.parametrize("language", ["ar", "own"])
def test_an_arabic_letter_is_signed_with_the_arabic_comma(client, seed_action, language):
    seed_action.letters.create(language="ar", salutation="سيادة الرئيس", body="أكتب إليكم", closing="")
    xi = seed_action.targets.get(name="Xi Jinping")
    xi.salutation = "سيادة الرئيس شي جين بينغ"
    xi.save()
    data = form_data(seed_action, language=language, body=ARABIC_BODY, name="أحمد علي", town="القاهرة")
    with at(OPEN_DAY):
        html = client.post(compose_url(seed_action), data | {"step": "preview"}).content.decode()
    letter = re.search(r'<pre class="letter-text"([^>]*)>(.*?)</pre>', html, re.S)
    assert letter.group(2) == f"سيادة الرئيس شي جين بينغ،\n\n{ARABIC_BODY}\n\nأحمد علي، القاهرة"
    # Marked as Arabic where the supporter chose it; in their own language the text shows its own way.
    assert letter.group(1) == (' lang="ar" dir="rtl"' if language == "ar" else ' dir="auto"')


def test_a_comma_is_that_of_the_words_it_follows(client, seed_action):
    # The UA's English salutation and a name in Latin letters keep their comma in an Arabic letter.
    seed_action.letters.create(language="ar", salutation="سيادة الرئيس", body="أكتب إليكم", closing="")
    data = form_data(seed_action, language="ar", body=ARABIC_BODY, name="Ahmed Ali", town="Cairo")
    with at(OPEN_DAY):
        html = client.post(compose_url(seed_action), data | {"step": "preview"}).content.decode()
    letter = re.search(r'<pre class="letter-text"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert letter == f"Dear President Xi Jinping,\n\n{ARABIC_BODY}\n\nAhmed Ali, Cairo"


def test_the_compose_form_lets_typed_words_run_their_own_way(client, seed_action):
    with at(OPEN_DAY), translation.override("ar"):
        html = client.get(compose_url(seed_action)).content.decode()
    for name in ("body", "name", "town"):
        assert re.search(
            rf'<(?:textarea|input)[^>]*name="{name}"[^>]*dir="auto"|<(?:textarea|input)[^>]*dir="auto"[^>]*name="{name}"',
            html,
        ), name
    # The officials' names and positions are the English of the case, on the Arabic page.
    assert '<span lang="en" dir="ltr">Xi Jinping — President of the People’s Republic of China</span>' in html
    assert re.search(r'<p class="kind" lang="en" dir="ltr"><a [^>]*>MISSING AND ARBITRARILY', html)


def test_send_stores_one_appeal_even_when_posted_twice(
    client, seed_action, django_capture_on_commit_callbacks
):
    data = form_data(seed_action) | {"step": "send"}
    with at(OPEN_DAY), django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(compose_url(seed_action), data)
        second = client.post(compose_url(seed_action), data)  # a double click
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    appeal = Appeal.objects.get()
    # It waits for the supporter to confirm their email: one email asking them, after the commit.
    assert (appeal.status, appeal.channel, appeal.supporter) == ("unconfirmed", "email", None)
    assert appeal.body.startswith("Dear President Xi Jinping,") and appeal.body.endswith("Ada Lovelace, Lyon")
    assert len(desk_callbacks(callbacks)) == 1
    with at(OPEN_DAY):
        html = client.get(first["Location"]).content.decode()
    assert "Thank you for acting" in html and "Write to Ma Xingrui" in html
    assert "One step left" in html and "Waiting for you to confirm your email" in html
    with at(OPEN_DAY), django_capture_on_commit_callbacks(execute=False) as callbacks:
        confirm(data["key"])
    appeal.refresh_from_db()
    assert appeal.status == "queued"
    assert (appeal.supporter_country, appeal.supporter.email) == ("FR", "ada@example.org")
    assert len(desk_callbacks(callbacks)) == 1  # one delivery queued, after the commit


def test_several_targets_get_their_own_salutation(client, seed_action):
    ma = seed_action.targets.get(name="Ma Xingrui")
    xi = seed_action.targets.get(name="Xi Jinping")
    data = form_data(seed_action, targets=[xi.pk, ma.pk], channel="post") | {"step": "send"}
    with at(OPEN_DAY):
        client.post(compose_url(seed_action), data)
    letters = dict(Appeal.objects.values_list("target__name", "body"))
    assert letters["Xi Jinping"].startswith("Dear President Xi Jinping,")
    assert letters["Ma Xingrui"].startswith("Dear Ma Xingrui,")
    assert set(Appeal.objects.values_list("status", flat=True)) == {"awaiting"}


def test_errors_keep_what_was_typed(client, seed_action):
    ma = seed_action.targets.get(name="Ma Xingrui")
    data = form_data(seed_action, targets=[ma.pk], name="", body="My own words, kept.") | {"step": "send"}
    with at(OPEN_DAY):
        response = client.post(compose_url(seed_action), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "My own words, kept." in html
    assert "Ma Xingrui has no email address: choose fax or post for them." in html
    assert "This field is required." in html
    assert not Appeal.objects.exists()


def test_every_channel_of_the_form_is_one_a_target_answers_for():
    # Target (in the app appeals builds on) names the channels by their values: a channel added here
    # must be added there, or the form would fail on it.
    nowhere = Target(name="Nobody")
    assert [channel for channel in Appeal.Channel.values if nowhere.reachable_by(channel)] == []


def test_mailto_counts_only_once_the_supporter_confirms(client, seed_action):
    data = form_data(seed_action, channel="mailto") | {"step": "send"}
    with at(OPEN_DAY):
        sent_url = client.post(compose_url(seed_action), data)["Location"]
        html = client.get(sent_url).content.decode()
        assert (
            "mailto:english@mail.gov.cn?subject=Missing%20and%20arbitrarily%20detained%20in%20Xinjiang"
            in html
        )
        assert not Appeal.objects.counted().exists()
        client.post(sent_url + "confirm/")
        client.post(sent_url + "confirm/")
    appeal = Appeal.objects.get()
    assert appeal.status == "sent_by_supporter" and appeal.is_counted()


def test_a_closed_action_takes_no_appeal(client, seed_action):
    with at(SEED_DEADLINE + datetime.timedelta(days=1)):
        assert client.get(compose_url(seed_action)).status_code == 410
        response = client.post(compose_url(seed_action), form_data(seed_action) | {"step": "send"})
    assert response.status_code == 410
    assert not Appeal.objects.exists()


def test_appeals_are_counted_by_target_channel_language_and_country(client, seed_action):
    from uadesk.appeals.services import appeal_counts

    xi = seed_action.targets.get(name="Xi Jinping")
    ma = seed_action.targets.get(name="Ma Xingrui")
    with at(OPEN_DAY):
        for n, (targets, channel, country) in enumerate(
            [([xi.pk, ma.pk], "post", "fr"), ([xi.pk], "mailto", "de"), ([xi.pk], "post", "")]
        ):
            data = form_data(
                seed_action, targets=targets, channel=channel, country=country, email=f"s{n}@x.org"
            )
            url = client.post(compose_url(seed_action), data | {"step": "send"})["Location"]
            client.post(url + "confirm/")
        client.post(
            compose_url(seed_action), form_data(seed_action) | {"step": "send"}
        )  # queued, not yet sent
    counts = appeal_counts(action=seed_action)
    assert counts["total"] == {"": 4}
    assert counts["target"] == {"Ma Xingrui": 1, "Xi Jinping": 3}
    assert counts["channel"] == {"mailto": 1, "post": 3}
    assert counts["language"] == {"en": 4}
    assert counts["country"] == {"": 1, "DE": 1, "FR": 2}


def test_fax_is_offered_only_where_a_gateway_is_set(client, seed_action, settings):
    with at(OPEN_DAY):
        settings.FAX_GATEWAY_DOMAIN = ""
        assert 'value="fax"' not in client.get(compose_url(seed_action)).content.decode()
        response = client.post(
            compose_url(seed_action), form_data(seed_action, channel="fax") | {"step": "send"}
        )
        assert "Select a valid choice." in response.content.decode()
        settings.FAX_GATEWAY_DOMAIN = "fax.example.net"
        assert 'value="fax"' in client.get(compose_url(seed_action)).content.decode()
        response = client.post(
            compose_url(seed_action), form_data(seed_action, channel="fax") | {"step": "send"}
        )
    assert response.status_code == 302
    assert Appeal.objects.get().channel == "fax"


def test_too_many_sends_from_one_address_are_refused_kindly(client, seed_action, settings):
    settings.APPEAL_RATE_PER_ADDRESS = 2
    with at(OPEN_DAY):
        codes = [
            client.post(
                compose_url(seed_action), form_data(seed_action, email=f"s{n}@x.org") | {"step": "send"}
            ).status_code
            for n in range(3)
        ]
        html = client.post(compose_url(seed_action), form_data(seed_action, body="Kept.") | {"step": "send"})
    assert codes == [302, 302, 429]
    assert "Please try again later." in html.content.decode() and "Kept." in html.content.decode()
    assert Appeal.objects.count() == 2


def test_write_to_the_next_person_opens_the_form_for_that_person_signed_as_before(client, seed_action):
    """The sent page's "Write to Ma Xingrui" ticks Ma Xingrui, not the first official again, and carries
    who signed the last letter; confirmed, both letters are the same supporter's."""
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    with at(OPEN_DAY):
        first = form_data(seed_action, step="send")
        sent = client.post(compose_url(seed_action), first)
        page = client.get(sent["Location"]).content.decode()
        [link] = re.findall(rf'href="([^"]*/write/\?target={ma.pk})"', page)
        html = client.get(link.replace("&amp;", "&")).content.decode()
    assert re.search(rf'value="{ma.pk}"[^>]*checked', html), "the named official is ticked"
    assert not re.search(rf'value="{xi.pk}"[^>]*checked', html), "not the first one again"
    for name, value in [("name", "Ada Lovelace"), ("town", "Lyon"), ("email", "ada@example.org")]:
        assert re.search(rf'name="{name}"[^>]*value="{value}"', html), name
    assert '<option value="FR" selected>France</option>' in html
    assert "ada@example.org" not in link and "Ada" not in link  # from the session, not the URL

    with at(OPEN_DAY):
        second = form_data(seed_action, step="send", targets=[ma.pk], channel="post")  # no email for him
        assert client.post(compose_url(seed_action), second).status_code == 302
        confirm(first["key"])
        confirm(second["key"])
    supporters = set(Appeal.objects.values_list("supporter", flat=True))
    assert len(supporters) == 1 and None not in supporters


def test_what_the_form_remembers_is_forgotten_after_an_hour(client, seed_action):
    with at(OPEN_DAY):
        client.post(compose_url(seed_action), form_data(seed_action, step="send"))
    later = datetime.datetime(OPEN_DAY.year, OPEN_DAY.month, OPEN_DAY.day, 13, 1, tzinfo=datetime.UTC)
    with at(OPEN_DAY):
        assert 'value="Ada Lovelace"' in client.get(compose_url(seed_action)).content.decode()
    import time_machine

    with time_machine.travel(later, tick=False):
        assert 'value="Ada Lovelace"' not in client.get(compose_url(seed_action)).content.decode()


def test_the_email_subject_reads_as_a_sentence_and_the_supporter_may_change_it(client, seed_action):
    with at(OPEN_DAY):
        html = client.get(compose_url(seed_action)).content.decode()
        # The import proposed it from the capitals of the document's title, names kept.
        assert 'value="Missing and arbitrarily detained in Xinjiang"' in html
        preview = client.post(
            compose_url(seed_action), form_data(seed_action, step="preview")
        ).content.decode()
        [subject] = re.findall(r'<p class="subject">(.*?)</p>', preview)
        assert "Missing and arbitrarily detained in Xinjiang" in subject
        mine = "Please free the detained Uyghurs"
        client.post(compose_url(seed_action), form_data(seed_action, step="send", subject=f"{mine}\nBcc: x"))
    assert Appeal.objects.get().subject == f"{mine} Bcc: x"  # one line: a subject is a header


def test_staff_set_the_subject_per_language(client, seed_action):
    letter = seed_action.letters.get(language="en")
    letter.subject = "Release the people held in Xinjiang's camps"
    letter.save()
    with at(OPEN_DAY):
        client.post(compose_url(seed_action), form_data(seed_action, step="send", subject=""))
    assert Appeal.objects.get().subject == "Release the people held in Xinjiang's camps"


def test_a_letter_to_post_is_previewed_without_a_subject_and_is_not_sent(client, seed_action):
    with at(OPEN_DAY):
        html = client.post(
            compose_url(seed_action), form_data(seed_action, step="preview", channel="post")
        ).content.decode()
    assert 'class="subject"' not in html
    assert "Get my letter to print" in html and ">Send<" not in html
