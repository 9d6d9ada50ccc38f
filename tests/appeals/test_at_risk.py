"""Writers at risk: a letter signed with initials or no name carries no more of the writer to the
official, by email, fax or post, in the preview or through the API; a printed letter's sender's address
can be left blank to fill in by hand."""

import io
import json
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.appeals.helpers import confirm
from tests.delivery.test_printing import glyph_runs, lines_of
from uadesk.api.serializers import appeal_data
from uadesk.appeals.models import Appeal
from uadesk.appeals.printing import appeal_pdf
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.tasks import deliver_messages

pytestmark = pytest.mark.django_db

EMAIL = "ada.lovelace@example.org"  # an address that names its owner, as many do


def write(client, action, *, step="send", **fields):
    """The letter form sent to Xi Jinping, as a browser sends it; returns its key and the answer."""
    xi = action.targets.get(name="Xi Jinping")
    data = {
        "key": str(uuid.uuid4()),
        "targets": [xi.pk],
        "language": "en",
        f"channel_{xi.pk}": "email",
        "body": "Please release everyone detained.\n\nYours sincerely,",
        "name": "Ada Lovelace",
        "town": "Lyon",
        "country": "fr",
        "email": EMAIL,
        "step": step,
    } | fields
    return data["key"], client.post(reverse("appeals:compose", kwargs={"slug": action.slug}), data)


def lines(reader, page) -> list[str]:
    return ["".join(run["text"] for run in line) for line in lines_of(glyph_runs(reader, page))]


@pytest.mark.parametrize(
    ("signed_as", "signature"),
    [("name", "Ada Lovelace, Lyon"), ("initials", "A. L., Lyon"), ("none", "Lyon")],
)
def test_the_email_the_official_receives_carries_only_what_the_writer_chose(
    client, open_action, smtp_server, signed_as, signature
):
    mailbox, _ = smtp_server
    key, answer = write(client, open_action, signed_as=signed_as)
    assert answer.status_code == 302
    confirm(key)  # their email confirmed: the desk sends the letter, and them their receipt
    deliver_messages.call()
    [letter] = [m for m in mailbox.messages if m["Message-ID"].startswith("<appeal-")]
    text = letter.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip().endswith(f"Yours sincerely,\n\n{signature}")
    seen = [letter.raw.lower(), text.lower(), letter.get_body(("html",)).get_content().lower()]
    seen += [str(value).lower() for value in letter.values()]  # every header, decoded
    [appeal] = Appeal.objects.filter(submission=key)
    api = json.dumps(appeal_data(appeal), default=str).lower()
    if signed_as == "name":
        # The test would see the name: it is there, in the letter and where to reply.
        assert b"ada lovelace" in letter.raw.lower() and letter["Reply-To"] == EMAIL
        assert "lovelace" in api
        return
    for part in seen:
        assert ("lovelace" if isinstance(part, str) else b"lovelace") not in part
    assert "ada" not in text.lower() and letter["Reply-To"] is None
    assert "ada" not in str(letter["From"]).lower()
    # Neither does the desk keep more of the name than the letter shows, nor the API answer with it.
    assert appeal.supporter_name == ("A. L." if signed_as == "initials" else "")
    assert "lovelace" not in api and appeal_data(appeal)["email"] is None


def test_the_preview_is_the_letter_as_signed(client, open_action):
    _, answer = write(client, open_action, signed_as="initials", step="preview")
    html = answer.content.decode()
    letter = html.split('<pre class="letter-text"')[1].split("</pre>")[0]
    assert letter.rstrip().endswith("A. L., Lyon") and "Lovelace" not in letter


def test_a_letter_with_no_name_needs_no_name_and_one_with_a_name_does(client, open_action):
    _, answer = write(client, open_action, signed_as="none", name="", email="")
    assert answer.status_code == 302
    assert Appeal.objects.get().supporter_name == "" and Appeal.objects.get().body.endswith("\n\nLyon")
    _, refused = write(client, open_action, signed_as="initials", name="", email="")
    assert refused.status_code == 400 and Appeal.objects.count() == 1


def test_a_blank_sender_block_prints_neither_name_nor_town_and_keeps_its_room(client, open_action):
    xi = open_action.targets.get(name="Xi Jinping")
    pages = {}
    for blank in (False, True):
        fields = {f"channel_{xi.pk}": "post", "email": ""} | ({"sender_blank": "on"} if blank else {})
        key, answer = write(client, open_action, **fields)
        assert answer.status_code == 302
        assert Appeal.objects.get(submission=key).sender_blank is blank
        url = reverse("appeals:letter_pdf", kwargs={"slug": open_action.slug, "key": key, "target_id": xi.pk})
        reader = PdfReader(io.BytesIO(client.get(url).content))
        letter, envelope = reader.pages
        printed = lines(reader, letter)
        recipient = next(i for i, line in enumerate(printed) if "北京市西城区" in line)
        recipient_y = lines_of(glyph_runs(reader, letter))[recipient][0]["y"]
        pages[blank] = printed[:recipient], lines(reader, envelope), recipient_y
    # Filled in, the sender's block and the envelope's return address name the writer and their town.
    sender, envelope, full_y = pages[False]
    assert sender == ["Ada Lovelace", "Lyon", "FRANCE"]
    assert any("Lovelace" in line for line in envelope) and any("Lyon" in line for line in envelope)
    # Left blank: nothing of the writer there, nor on the envelope; the address does not move up into it.
    sender, envelope, blank_y = pages[True]
    assert sender == []
    assert not any(word in line for line in envelope for word in ("Ada", "Lovelace", "Lyon", "FRANCE"))
    assert blank_y <= full_y


def test_a_fax_signed_with_no_name_and_no_town_has_a_blank_sender_block(open_action):
    xi = open_action.targets.get(name="Xi Jinping")
    [appeal] = appeal_submit(
        action=open_action, targets=[xi], channel="fax", language="en", subject="Release them",
        letters={xi.pk: "Dear President Xi Jinping,\n\nPlease release them."}, key=uuid.uuid4(),
        writer=Writer(name="Ada Lovelace", signed_as="none", sender_blank=True),
    )  # fmt: skip
    assert not appeal.sender_blank  # a fax has no sender's address to fill in by hand
    reader = PdfReader(io.BytesIO(appeal_pdf(appeal, envelope=None)))
    text = "\n".join(line for page in reader.pages for line in lines(reader, page))
    assert "Please release them." in text and "Ada" not in text and "Lovelace" not in text
