"""Post: the supporter downloads a print-ready letter with the address in the target's own script, then
marks it posted."""

import datetime
import io
import re
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import at
from tests.delivery.test_printing import glyph_runs, lines_of
from uadesk.appeals.models import Appeal

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)
MM = 72 / 25.4


def post_letter(client, action, **changes) -> str:
    xi = action.targets.get(name="Xi Jinping")
    data = {
        "key": str(uuid.uuid4()),
        "targets": [xi.pk],
        "language": "en",
        "channel": "post",
        "body": "Please release everyone detained in Xinjiang.\n\nYours sincerely,",
        "name": "Zoë Łukasiewicz",
        "town": "Kraków",
        "step": "send",
    } | changes
    with at(OPEN_DAY):
        sent = client.post(reverse("appeals:compose", kwargs={"slug": action.slug}), data)
        return client.get(sent["Location"]).content.decode()


def test_the_letter_pdf_carries_the_chinese_address_in_embedded_subset_fonts(client, seed_action):
    page = post_letter(client, seed_action)
    links = re.findall(r'href="([^"]+\.pdf\?[^"]+)"', page)
    assert len(links) == 3  # A4 + DL, A4 + C5, US Letter + label
    with at(OPEN_DAY):
        response = client.get(links[0].replace("&amp;", "&"))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    letter, envelope = reader.pages
    assert [round(float(v) / MM) for v in letter.mediabox[2:]] == [210, 297]
    assert [round(float(v) / MM) for v in envelope.mediabox[2:]] == [220, 110]
    letter_text = letter.extract_text()
    assert "Zoë Łukasiewicz" in letter_text and "Kraków" in letter_text
    assert "Dear President Xi Jinping" in letter_text and "Please release everyone" in letter_text
    assert "北京市西城区" in envelope.extract_text().replace(" ", "")
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    # A subset font's name carries a six-letter tag: "ABCDEF+NotoSansCJKsc-Regular".
    assert fonts and all(re.match(r"^/[A-Z]{6}\+Noto", f) for f in fonts), fonts
    assert any("CJK" in f for f in fonts)


def test_us_letter_with_a_label_page(client, seed_action):
    page = post_letter(client, seed_action)
    link = re.findall(r'href="([^"]+paper=Letter[^"]+)"', page)[0].replace("&amp;", "&")
    with at(OPEN_DAY):
        reader = PdfReader(io.BytesIO(client.get(link).content))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792]
    assert "北京市西城区" in reader.pages[-1].extract_text().replace(" ", "")


def test_marking_it_posted_counts_it_once(client, seed_action):
    page = post_letter(client, seed_action)
    appeal = Appeal.objects.get()
    assert appeal.status == Appeal.Status.AWAITING_SUPPORTER and not appeal.is_counted()
    assert "I have posted it" in page
    confirm = reverse("appeals:confirm", kwargs={"slug": seed_action.slug, "key": appeal.submission})
    with at(OPEN_DAY):
        client.post(confirm)
        client.post(confirm)  # a second click changes nothing
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.POSTED and appeal.is_counted()
    assert Appeal.objects.counted().count() == 1


def test_no_pdf_for_another_channel_or_a_wrong_key(client, seed_action):
    post_letter(client, seed_action)
    appeal = Appeal.objects.get()
    url = reverse(
        "appeals:letter_pdf",
        kwargs={"slug": seed_action.slug, "key": uuid.uuid4(), "target_id": appeal.target_id},
    )
    assert client.get(url).status_code == 404


def test_the_envelope_carries_the_targets_name_in_chinese_after_the_address(client, seed_action):
    seed_action.targets.filter(name="Xi Jinping").update(native_name="习近平")
    link = re.findall(r'href="([^"]+\.pdf\?[^"]+)"', post_letter(client, seed_action))[0]
    with at(OPEN_DAY):
        envelope = PdfReader(io.BytesIO(client.get(link.replace("&amp;", "&")).content)).pages[-1]
    text = envelope.extract_text().replace(" ", "")
    assert text.index("北京市西城区") < text.index("习近平")


@pytest.mark.parametrize("language", ["ar", "own"])
def test_an_arabic_letter_is_printed_right_to_left_and_signed_with_the_arabic_comma(
    client, seed_action, language
):
    seed_action.letters.create(language="ar", salutation="سيادة الرئيس", body="أكتب إليكم", closing="")
    seed_action.targets.filter(name="Xi Jinping").update(salutation="سيادة الرئيس شي جين بينغ")
    body = "أكتب إليكم للتعبير عن قلقي إزاء احتجاز 48 شخصًا.\n\nمع خالص التحيات،"
    page = post_letter(client, seed_action, language=language, body=body, name="أحمد علي", town="القاهرة")
    link = re.findall(r'href="([^"]+\.pdf\?[^"]+)"', page)[0].replace("&amp;", "&")
    with at(OPEN_DAY):
        reader = PdfReader(io.BytesIO(client.get(link).content))
    letter = reader.pages[0]
    width = float(letter.mediabox.width)
    lines = lines_of(glyph_runs(reader, letter))
    # The salutation, the paragraph, the closing and the signature, under the date, each from the right
    # margin; each line's closing comma on its left, the signature's between the name and the town.
    date = next(i for i, line in enumerate(lines) if "2022" in "".join(r["text"] for r in line))
    salutation, paragraph, closing, signature = lines[date + 1 : date + 5]
    for line in (salutation, paragraph, closing, signature):
        assert max(r["x"] + r["width"] for r in line) == pytest.approx(width - 22 * MM, abs=1.5)
    assert "،" in salutation[0]["text"] and "،" in closing[0]["text"]
    assert "،" in "".join(r["text"] for r in signature[1:-1])
    assert "," not in "".join(r["text"] for line in lines[date + 1 :] for r in line)
