"""Each official is offered only the channels that reach them from this desk, chosen one by one in one form;
a letter the supporter sends themselves is given to them to copy; their country is chosen from a list and
goes on the envelope's return address."""

import datetime
import io
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from tests.conftest import at, desk_callbacks
from uadesk.appeals.models import Appeal
from uadesk.appeals.printing import appeal_print_letter
from uadesk.delivery.models import Message

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)
BODY = "Please release everyone detained in Xinjiang.\n\nYours sincerely,"


def as_text(html: str) -> str:
    """The page's words, without its markup (a letter's status sits in an element of its own)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.fixture
def officials(seed_action):
    """Xi Jinping has an email, a fax and a postal address; Ma Xingrui only a postal address."""
    return seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")


def compose_url(action):
    return reverse("appeals:compose", kwargs={"slug": action.slug})


def write(client, action, targets, channels: dict, **changes):
    """Posts the form's last step, each official with their own channel (field channel_<pk>). The tests
    of one official also post the one `channel` for all that the form once took, so that they fail on
    what they test, not on that."""
    data = {
        "key": str(uuid.uuid4()),
        "targets": [t.pk for t in targets],
        "language": "en",
        "body": BODY,
        "name": "Ada Lovelace",
        "town": "Lyon",
        "step": "send",
    } | {f"channel_{t.pk}": channel for t, channel in channels.items()}
    with at(OPEN_DAY):
        return data["key"], client.post(compose_url(action), data | changes)


def radios(html: str, target) -> list[str]:
    return re.findall(rf'name="channel_{target.pk}" value="(\w+)"', html)


# 6. The channels each official can be reached by, chosen per official


def test_each_official_is_offered_the_channels_that_reach_them(client, seed_action, officials, settings):
    xi, ma = officials
    settings.FAX_GATEWAY_DOMAIN = "fax.example.net"
    with at(OPEN_DAY):
        html = client.get(compose_url(seed_action)).content.decode()
    assert radios(html, xi) == ["email", "fax", "post", "mailto"]
    assert radios(html, ma) == ["post"]  # no email, no fax: only the post reaches him
    assert "How to send your letter to Ma Xingrui" in html
    settings.FAX_GATEWAY_DOMAIN = ""
    with at(OPEN_DAY):
        html = client.get(compose_url(seed_action)).content.decode()
    assert radios(html, xi) == ["email", "post", "mailto"]  # no gateway, no fax
    assert 'value="fax"' not in html


def test_one_form_sends_each_official_by_their_own_channel(
    client, seed_action, officials, django_capture_on_commit_callbacks
):
    xi, ma = officials
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        key, first = write(client, seed_action, [xi, ma], {xi: "email", ma: "post"})
        _, again = write(client, seed_action, [xi, ma], {xi: "email", ma: "post"}, key=key)  # a double post
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    appeals = {a.target: a for a in Appeal.objects.all()}
    assert len(appeals) == 2
    assert (appeals[xi].channel, appeals[xi].status) == ("email", "queued")  # no email given: it goes now
    assert (appeals[ma].channel, appeals[ma].status) == ("post", "awaiting")
    # Only the desk's letter is in the outbox; the posted one is the supporter's to send.
    assert list(Message.objects.values_list("ref", flat=True)) == [appeals[xi].pk]
    assert desk_callbacks(callbacks)


def test_a_channel_that_cannot_reach_an_official_is_refused_for_them(client, seed_action, officials):
    xi, ma = officials
    key, response = write(client, seed_action, [xi, ma], {xi: "email", ma: "email"}, body="Kept.")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ma Xingrui has no email address" in html and "Kept." in html
    _, response = write(client, seed_action, [xi, ma], {xi: "email"})
    assert "Choose how to send your letter to Ma Xingrui." in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_stale_choice_for_an_official_not_written_to_is_no_error(client, seed_action, officials):
    xi, ma = officials
    # The page showed Ma Xingrui's choice; he is not ticked, and what it says does not matter.
    _, response = write(client, seed_action, [xi], {xi: "mailto", ma: "fax"})
    assert response.status_code == 302
    assert list(Appeal.objects.values_list("target", "channel")) == [(xi.pk, "mailto")]


def test_an_official_no_channel_reaches_is_not_offered_to_write_to(client, seed_action, officials):
    xi, _ = officials
    erkin = seed_action.targets.get(name="Erkin Tuniyaz")
    erkin.address = erkin.native_address = ""  # no email, no fax, and now no postal address
    erkin.save()
    with at(OPEN_DAY):
        form = client.get(compose_url(seed_action)).content.decode()
    _, response = write(client, seed_action, [xi], {xi: "post"})
    with at(OPEN_DAY):
        sent = client.get(response["Location"]).content.decode()
    assert f'name="targets" value="{erkin.pk}"' not in form and "Erkin Tuniyaz" not in form
    assert "Write to Ma Xingrui" in sent and "Write to Erkin Tuniyaz" not in sent


def test_the_preview_names_each_officials_channel_and_carries_it_to_the_send(client, seed_action, officials):
    xi, ma = officials
    _, response = write(client, seed_action, [xi, ma], {xi: "mailto", ma: "post"}, step="preview")
    html = response.content.decode()
    assert re.search(r"To Xi Jinping</h2>\s*<p class=\"channel\">.*Email from my own mail app</p>", html)
    assert re.search(r"To Ma Xingrui</h2>\s*<p class=\"channel\">.*Post</p>", html)
    assert f'name="channel_{xi.pk}" value="mailto"' in html and f'name="channel_{ma.pk}" value="post"' in html


def test_the_action_page_promises_only_the_ways_this_desk_offers(client, seed_action, settings):
    url = seed_action.get_absolute_url()
    settings.FAX_GATEWAY_DOMAIN = ""
    with at(OPEN_DAY):
        html = client.get(url).content.decode()
    assert "and send it by email or post." in html
    assert "fax" not in html.split('id="act-heading"')[1].split("</section>")[0]
    settings.FAX_GATEWAY_DOMAIN = "fax.example.net"
    with at(OPEN_DAY):
        html = client.get(url).content.decode()
    assert "and send it by email, fax or post." in html


def test_an_official_whose_email_fails_is_sent_to_the_ways_left(client, seed_action, officials, settings):
    xi, _ = officials
    xi.email_failing_since = datetime.datetime(2022, 8, 30, tzinfo=datetime.UTC)
    xi.save()
    settings.FAX_GATEWAY_DOMAIN = ""
    with at(OPEN_DAY):
        page = client.get(seed_action.get_absolute_url()).content.decode()
        form = client.get(compose_url(seed_action)).content.decode()
    assert "letters come back: please write by post" in page
    assert radios(form, xi) == ["post"]


# 7. The letter a supporter sends from their own mail, webmail included


def test_the_supporter_gets_the_address_subject_and_letter_to_copy(client, seed_action, officials):
    xi, _ = officials
    key, response = write(client, seed_action, [xi], {xi: "mailto"}, channel="mailto")
    with at(OPEN_DAY):
        html = client.get(response["Location"]).content.decode()
    appeal = Appeal.objects.get()
    assert "Thank you for acting" not in html  # not yet: the letter has not gone
    assert "<h1>Now send your letter</h1>" in html
    address = re.search(rf'id="to-{appeal.pk}"[^>]*>([^<]*)<', html).group(1)
    subject = re.search(rf'id="subject-{appeal.pk}"[^>]*>([^<]*)<', html).group(1)
    letter = re.search(rf'id="body-{appeal.pk}"[^>]*>([^<]*)<', html).group(1)
    assert (address, subject) == (
        "english@mail.gov.cn",
        seed_action.email_subject(seed_action.letters.first()),
    )
    assert letter.startswith("Dear President Xi Jinping,") and letter.endswith("Ada Lovelace, Lyon")
    for part in ("to", "subject", "body"):
        # Shown by the page's own script: without it there is no button that does nothing.
        button = rf'<button type="button" class="copy" data-copy="{part}-{appeal.pk}"[^>]*hidden>'
        assert re.search(button, html), part
    assert re.search(r'<script src="/static/appeals/copy\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script: the CSP forbids it"
    assert 'href="mailto:english@mail.gov.cn?subject=' in html
    assert "I have sent it" in html and "Waiting for the supporter" not in html

    with at(OPEN_DAY):
        client.post(response["Location"] + "confirm/", {"target": xi.pk})
        html = client.get(response["Location"]).content.decode()
    assert "<h1>Thank you for acting</h1>" in html and "Xi Jinping: Sent by you" in as_text(html)
    assert Appeal.objects.get().status == "sent_by_supporter"


def test_the_copy_script_is_served_by_the_desk(client):
    response = client.get("/static/appeals/copy.js")
    assert response.status_code == 200
    script = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"navigator.clipboard" in script and b"http" not in script.replace(b"https", b"")


def test_each_letter_the_supporter_sends_is_marked_sent_on_its_own(client, seed_action, officials):
    xi, ma = officials
    _, response = write(client, seed_action, [xi, ma], {xi: "mailto", ma: "post"})
    with at(OPEN_DAY):
        html = client.get(response["Location"]).content.decode()
        assert "<h1>Now send your letters</h1>" in html
        assert "I have sent it" in html and "I have posted it" in html
        client.post(response["Location"] + "confirm/", {"target": xi.pk})
        html = client.get(response["Location"]).content.decode()
    statuses = dict(Appeal.objects.values_list("target", "status"))
    assert statuses == {xi.pk: "sent_by_supporter", ma.pk: "awaiting"}
    assert "<h1>Now send your letter</h1>" in html  # the posted one is still to go
    assert "Ma Xingrui: Ready for you to print and post" in as_text(html)


def test_no_status_a_supporter_reads_speaks_of_the_supporter():
    for status in Appeal.Status.values:
        for channel in Appeal.Channel.values:
            words = Appeal(status=status, channel=channel).status_for_supporter()
            assert "supporter" not in words.casefold(), (status, channel, words)


# 8. The country, from a list in the reader's language, on the envelope


def test_the_country_is_chosen_from_a_list_in_the_readers_language(client, seed_action):
    with at(OPEN_DAY):
        english = client.get(compose_url(seed_action)).content.decode()
        with translation.override("es"):
            spanish = client.get(compose_url(seed_action)).content.decode()
    assert re.search(r'<select name="country"[^>]*>', english)
    assert '<option value="FR">France</option>' in english
    assert '<option value="FR">Francia</option>' in spanish
    assert "Two-letter code" not in english


def test_a_country_not_on_the_list_is_refused_and_a_code_is_kept(client, seed_action, officials):
    xi, _ = officials
    _, response = write(client, seed_action, [xi], {xi: "post"}, channel="post", country="France")
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    assert not Appeal.objects.exists()
    _, response = write(client, seed_action, [xi], {xi: "post"}, channel="post", country="FR")
    assert response.status_code == 302
    assert Appeal.objects.get().supporter_country == "FR"


def test_the_envelope_return_address_carries_the_senders_country(client, seed_action, officials):
    xi, _ = officials
    key, response = write(client, seed_action, [xi], {xi: "post"}, channel="post", country="FR")
    appeal = Appeal.objects.get()
    assert appeal_print_letter(appeal).sender_lines == ["Ada Lovelace", "Lyon", "FRANCE"]
    url = reverse("appeals:letter_pdf", kwargs={"slug": seed_action.slug, "key": key, "target_id": xi.pk})
    with at(OPEN_DAY):
        pdf = PdfReader(io.BytesIO(client.get(url, {"paper": "A4", "envelope": "DL"}).content))
    letter, envelope = pdf.pages
    assert "FRANCE" in envelope.extract_text() and "FRANCE" in letter.extract_text()
