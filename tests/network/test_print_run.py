"""The print run of a mailing read back from its PDF: a group of pages per member by post, in postcode
order, their address inside the envelope's window, the case, the model letter in the officials'
language, the officials' addresses in Chinese and Arabic in embedded Noto subsets; the label sheets;
and marking the run posted, once, audited; the staff pages that do it."""

import datetime
import io
import math
import re

import pypdf
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.conftest import staff_login
from tests.delivery.test_printing import glyph_runs, page_fonts
from uadesk.actions.models import Action, Individual, ModelLetter, Outcome, Target
from uadesk.delivery.printing import PAPERS, SHEETS, PrintError
from uadesk.delivery.printing.geometry import WINDOWS
from uadesk.network.models import Mailing, Member, Recipient
from uadesk.network.printrun import (
    mailing_mark_posted,
    print_run_labels_pdf,
    print_run_pdf,
    print_run_recipients,
)
from uadesk.staff.models import AuditEntry
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db

CHINESE = "北京市西城区西长安街街道"
ARABIC = "قصر الاتحادية"
ZH_LETTER = "我们写信是为了表达对伊力哈木·土赫提的关切。"
EN_LETTER = "We are writing to express our concern for Ilham Tohti."
# Members by post, as staff would type them: the name first, the postcode in the address too.
POST = [
    # (name, address lines, postcode, languages)
    ("Clara Weiss", ["Lindenstraße 4", "10117 Berlin", "GERMANY"], "10117", "en"),
    ("Alain Dupont", ["12 rue des Lilas", "75011 Paris", "FRANCE"], "75011", "fr, en"),
    ("Ana Silva", ["Rua das Flores 9", "1200-195 Lisboa", "PORTUGAL"], "1200-195", "en"),
    ("Ivan Petrov", ["ул. Тверская, д. 7", "125009 Москва", "RUSSIA"], "125009", "en"),
]


def read(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def member(name: str, lines: list[str], postcode: str, languages: str, **changes) -> Member:
    supporter = Supporter.for_email(f"{name.split()[0].lower()}@example.org")
    fields = dict(status=Member.Status.ACTIVE, channel=Member.Channel.POST, languages=languages,
                  postcode=postcode) | changes  # fmt: skip
    m = Member(supporter=supporter, **fields)
    m.postal_address = "\n".join([name, *lines])
    m.full_clean()
    m.save()
    return m


@pytest.fixture
def action(db):
    today = timezone.localdate()
    action = Action.objects.create(
        slug="ilham-tohti", title="Free Uyghur scholar Ilham Tohti", ua_number="93/22",
        summary="Ilham Tohti, a Uyghur economist, is serving a life sentence after an unfair trial.",
        asks="Release Ilham Tohti immediately and unconditionally\nLet his family visit him",
        preferred_languages="zh, en", deadline=today + datetime.timedelta(days=30),
        status=Action.Status.PUBLISHED,
    )  # fmt: skip
    Individual.objects.create(action=action, name="Ilham Tohti", native_name="伊力哈木·土赫提")
    Target.objects.create(
        action=action, role=Target.Role.PRIMARY, honorific="President", name="Xi Jinping",
        native_name="习近平", title="President of the People's Republic of China",
        address="Zhongnanhai\nXichang'anjie, Xichengqu\nBeijing Shi 100017\nPeople's Republic of China",
        native_address=f"{CHINESE}\n北京市 100017", native_language="zh", country="CN",
        salutation="Dear President",
    )  # fmt: skip
    Target.objects.create(
        action=action, role=Target.Role.COPY, name="Abdel Fattah al-Sisi", title="President of Egypt",
        address="Al Ittihadia Palace\nCairo\nEgypt", native_address=f"{ARABIC}\nالقاهرة",
        native_language="ar", country="EG", position=1,
    )  # fmt: skip
    # Only an email: nothing to post to, so not on the paper.
    Target.objects.create(action=action, role=Target.Role.COPY, name="Inbox Only", emails="x@example.org",
                          position=2)  # fmt: skip
    ModelLetter.objects.create(action=action, language="zh", salutation="尊敬的习近平主席", body=ZH_LETTER,
                               closing="此致敬礼")  # fmt: skip
    ModelLetter.objects.create(action=action, language="en", salutation="Dear President", body=EN_LETTER,
                               closing="Yours sincerely,")  # fmt: skip
    return action


@pytest.fixture
def mailing(action):
    """A mailing with the four members by post, one by email, one who left since and one skipped."""
    mailing = Mailing.objects.create(action=action, kind=Mailing.Kind.NEW)
    for name, lines, postcode, languages in POST:
        m = member(name, lines, postcode, languages)
        Recipient.objects.create(mailing=mailing, member=m, language=m.language_list()[0],
                                 channel=Member.Channel.POST)  # fmt: skip
    by_email = member("Emil Mail", ["Nowhere 1"], "00001", "en", channel=Member.Channel.EMAIL)
    Recipient.objects.create(mailing=mailing, member=by_email, language="en", channel=Member.Channel.EMAIL)
    left = member("Lena Left", ["Weg 2", "01067 Dresden"], "01067", "en", status=Member.Status.LEFT)
    Recipient.objects.create(mailing=mailing, member=left, language="en", channel=Member.Channel.POST)
    skipped = member("Sam Skipped", ["Weg 3", "01069 Dresden"], "01069", "en")
    Recipient.objects.create(mailing=mailing, member=skipped, language="en", channel=Member.Channel.POST,
                             status=Recipient.Status.SKIPPED)  # fmt: skip
    return mailing


BY_POSTCODE = sorted(POST, key=lambda m: m[2])  # "10117" < "1200-195" < "125009" < "75011"
# Each member's pages are in their language: the footer of a member who reads French says "sur".
FOOTER = re.compile(r"(\S+) · (\d+) (?:of|sur) (\d+) · page (\d+) (?:of|sur) (\d+)")


def groups(reader) -> list[list[int]]:
    """The page numbers of each member's group, from the pages' footers; checks they count right."""
    found: list[list[int]] = []
    for i, page in enumerate(reader.pages):
        match = FOOTER.search(page.extract_text())
        if match is None:
            continue  # a page left blank for duplex printing
        number, total, n, pages = (int(x) for x in match.groups()[1:])
        if n == 1:
            found.append([])
        assert number == len(found) and n == len(found[-1]) + 1 and n <= pages
        found[-1].append(i)
    assert all(len(g) == int(FOOTER.search(reader.pages[g[0]].extract_text())[5]) for g in found)
    return found


def top_down(page, run) -> tuple[float, float, float]:
    """A glyph run's left, right and baseline, the baseline measured from the page's top."""
    return run["x"], run["x"] + run["width"], float(page.mediabox.height) - run["y"]


def test_a_group_of_pages_per_member_by_post_in_postcode_order(mailing):
    reader = read(print_run_pdf(mailing))
    found = groups(reader)
    assert len(found) == len(POST)
    firsts = [reader.pages[g[0]].extract_text() for g in found]
    for text, (name, lines, postcode, _) in zip(firsts, BY_POSTCODE, strict=True):
        assert name in text and lines[0] in text
        assert re.search(rf"(of|sur) {len(POST)} · page 1 (of|sur) 3$", text.rstrip())
        assert postcode in text
    # Those by email, who left since, or were left out are on no page.
    everything = "".join(page.extract_text() for page in reader.pages)
    for absent in ("Emil Mail", "Lena Left", "Sam Skipped"):
        assert absent not in everything
    sizes = {(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in reader.pages}
    assert sizes == {(595.28, 841.89)}


@pytest.mark.parametrize(("paper", "size"), [("a4", (595.28, 841.89)), ("letter", (612.0, 792.0))])
def test_the_address_sits_inside_the_envelope_window(mailing, settings, paper, size):
    settings.NETWORK_RETURN_ADDRESS = "UA Network · Postfach 12 · 10001 Berlin"
    reader = read(print_run_pdf(mailing, paper=paper))
    window = WINDOWS[PAPERS["A4" if paper == "a4" else "Letter"].name]
    fx, fy, fw, fh = window.field
    ax, ay, aw, ah = window.address
    for group, (name, lines, _, _) in zip(groups(reader), BY_POSTCODE, strict=True):
        page = reader.pages[group[0]]
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == size
        runs = glyph_runs(reader, page)
        # The text set in the address zone, line by line (runs on one baseline, left to right), is the
        # member's name and address, whole.
        band = [r for r in runs if ay < top_down(page, r)[2] <= ay + ah and r["text"].strip()]
        inside = [r for r in band if top_down(page, r)[0] < fx + fw]
        # Beside the window, never in it: the member's "I have posted my letter" code and its words.
        beside = [r for r in band if r not in inside]
        if paper == "a4":
            said = "".join(r["text"] for r in beside)  # in the member's language
            assert "Posted your letter?" in said or "Vous avez posté votre lettre" in said, said
            assert all(top_down(page, r)[0] > fx + fw for r in beside)
        baselines = sorted({round(top_down(page, r)[2], 1) for r in inside})
        set_lines = [
            "".join(r["text"] for r in sorted(inside, key=lambda r: r["x"])
                    if round(top_down(page, r)[2], 1) == b).replace(" ", "")
            for b in baselines
        ]  # fmt: skip
        assert set_lines == [line.replace(" ", "") for line in [name, *lines]]
        for r in inside:
            left, right, baseline = top_down(page, r)
            assert ax - 0.5 <= left and right <= ax + aw + 0.5, (r["text"], left, right)
            # And so inside the window, clear of its edges: its capitals below the top, its descenders
            # above the foot.
            assert fx < left and right < fx + fw and fy < baseline - 10 and baseline + 3 < fy + fh
        sender = [r for r in runs if "Postfach" in r["text"]]
        if window.sender is None:
            assert sender == []  # a #10 window has no room for it: the envelope carries it
        else:
            sx, sy, sw, sh = window.sender
            left, right, baseline = top_down(page, sender[0])
            assert sx - 0.5 <= left and right <= sx + sw and sy < baseline < sy + sh


def test_the_case_the_model_letter_and_the_officials_in_every_script(mailing):
    reader = read(print_run_pdf(mailing))
    found = groups(reader)
    for group, (name, _, _, languages) in zip(found, BY_POSTCODE, strict=True):
        case, letter, officials = (reader.pages[i].extract_text() for i in group)
        assert "Free Uyghur scholar Ilham Tohti" in case and "93/22" in case
        assert "Ilham Tohti (伊力哈木·土赫提)" in case and "life sentence" in case
        assert "Release Ilham Tohti immediately" in case and "Let his family visit him" in case
        # The page's own words, the statuses and the deadline in the member's language.
        with translation.override(languages.split(",")[0]):
            assert date_format(mailing.action.deadline) in case
        french = bool(re.search(r"Date limite\s:", case)) and "En détention" in case
        assert french == languages.startswith("fr")
        assert ("Deadline:" in case and "Detained" in case) == languages.startswith("en")
        # The letter to post is in the officials' first language, Chinese, on a page of its own.
        assert ZH_LETTER in letter and "尊敬的习近平主席" in letter and name not in letter
        assert EN_LETTER not in letter
        # The officials with a postal address, in their own script too; not the one with email only.
        assert "Xi Jinping" in officials and "Zhongnanhai" in officials and CHINESE in officials
        assert "Abdel Fattah al-Sisi" in officials and "Al Ittihadia Palace" in officials
        assert "Inbox Only" not in officials
        # A member who reads English gets the letter in English to read; one in French, no letter of
        # theirs, gets none.
        assert (EN_LETTER in officials) == languages.startswith("en")
        runs = glyph_runs(reader, reader.pages[group[2]])
        chinese = [r for r in runs if "北" in r["text"]]
        arabic = [r for r in runs if set(r["text"]) & set(ARABIC.replace(" ", ""))]
        assert chinese and all("NotoSansCJK" in r["font"] for r in chinese)
        assert arabic and all("NotoSansArabic" in r["font"] for r in arabic)
        # Every letter of the Arabic line was set, none as the empty box of a missing glyph.
        assert set("".join(r["text"] for r in arabic)) >= set(ARABIC.replace(" ", ""))
        assert all(0 not in r["codes"] for r in runs)
    for page in reader.pages:
        for font, files in page_fonts(page):
            assert re.fullmatch(r"/[A-Z]{6}\+Noto\S+", font), font  # a subset, and Noto
            assert files & {"/FontFile2", "/FontFile3"}, font  # embedded


def test_duplex_starts_every_member_on_a_new_sheet(mailing):
    reader = read(print_run_pdf(mailing, duplex=True))
    found = groups(reader)
    assert len(found) == len(POST)
    assert all(g[0] % 2 == 0 for g in found)  # page indexes from 0: each group starts on a front
    assert len(reader.pages) == 4 * len(POST) - 1  # three pages each, and a blank back but the last
    for g in found[:-1]:
        blank = reader.pages[g[-1] + 1].extract_text()
        assert blank.strip() == ""


def test_an_outcome_of_a_case_that_asks_for_no_more_letters_is_one_page_of_news(mailing):
    action = mailing.action
    Action.objects.filter(pk=action.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    outcome = Outcome.objects.create(action=action, kind=Outcome.Kind.RELEASED, happened_on=action.deadline,
                                     public_note="Ilham Tohti is home with his family.")  # fmt: skip
    news = Mailing.objects.create(action=action, kind=Mailing.Kind.OUTCOME, outcome=outcome)
    for r in mailing.recipients.filter(channel=Member.Channel.POST, status=Recipient.Status.PLANNED):
        Recipient.objects.create(mailing=news, member=r.member, language=r.language, channel=r.channel)
    reader = read(print_run_pdf(news))
    found = groups(reader)
    assert [len(g) for g in found] == [1, 1, 1, 1]
    text = reader.pages[0].extract_text()
    assert "Ilham Tohti is home with his family." in text and "Released" in text
    assert "no longer asks for letters" in text
    assert ZH_LETTER not in text and "Write to" not in text and "Zhongnanhai" not in text


def test_labels_in_the_same_order_on_their_sheets(mailing):
    # Enough members for a second sheet of 21.
    for k in range(20):
        m = member(f"Extra{k:02d} Member", [f"Street {k}", f"9{k:04d} Town"], f"9{k:04d}", "en")
        Recipient.objects.create(mailing=mailing, member=m, language="en", channel=Member.Channel.POST)
    names = [r.member.postal_address.splitlines()[0] for r in print_run_recipients(mailing)]
    assert len(names) == 24 and names[:4] == [m[0] for m in BY_POSTCODE]
    for sheet in ("A4-21", "Letter-30"):
        reader = read(print_run_labels_pdf(mailing, sheet=sheet))
        s = SHEETS[sheet]
        assert len(reader.pages) == math.ceil(24 / s.per_sheet)
        assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {
            (round(s.page_width), round(s.page_height))
        }
        text = "\n".join(page.extract_text() for page in reader.pages)
        positions = [text.index(name) for name in names]
        assert positions == sorted(positions)
        assert "Ivan Petrov" in text and "125009 Москва" in text


def test_marking_posted_counts_the_run_once(mailing, django_user_model):
    staff = django_user_model.objects.create_user("post-room", is_staff=True)
    up_to = max(r.pk for r in print_run_recipients(mailing))
    # A member who joins the mailing after staff printed the run is left for the next one.
    late = member("Late Comer", ["Weg 9", "20095 Hamburg"], "20095", "en")
    late_recipient = Recipient.objects.create(mailing=mailing, member=late, language="en",
                                              channel=Member.Channel.POST)  # fmt: skip

    assert mailing_mark_posted(mailing=mailing, user=staff, up_to=up_to) == len(POST)
    mailing.refresh_from_db()
    assert mailing.posted_count == len(POST) and mailing.posted_at is not None
    post = mailing.recipients.filter(channel=Member.Channel.POST)
    assert post.filter(status=Recipient.Status.SENT).count() == len(POST)
    late_recipient.refresh_from_db()
    assert late_recipient.status == Recipient.Status.PLANNED
    # Those who left or were skipped, and the email member, are untouched.
    assert set(post.exclude(status=Recipient.Status.SENT).values_list("status", flat=True)) == {
        Recipient.Status.PLANNED, Recipient.Status.SKIPPED,
    }  # fmt: skip
    assert mailing.recipients.get(channel=Member.Channel.EMAIL).status == Recipient.Status.PLANNED
    entry = AuditEntry.objects.get(code="uadesk.mailing.posted")
    assert entry.detail == {"count": len(POST)} and entry.object_id == str(mailing.pk) and entry.user == staff

    # Twice is once: nothing more marked, counted or logged.
    first_posted_at = mailing.posted_at
    assert mailing_mark_posted(mailing=mailing, user=staff, up_to=up_to) == 0
    mailing.refresh_from_db()
    assert mailing.posted_count == len(POST) and mailing.posted_at == first_posted_at
    assert AuditEntry.objects.filter(code="uadesk.mailing.posted").count() == 1

    # The next run is the late member's alone; the posted ones are never printed again.
    reader = read(print_run_pdf(mailing))
    assert len(groups(reader)) == 1 and "Late Comer" in reader.pages[0].extract_text()
    assert mailing_mark_posted(mailing=mailing, user=staff) == 1
    mailing.refresh_from_db()
    assert mailing.posted_count == len(POST) + 1
    with pytest.raises(PrintError, match="No member of this mailing is waiting for it by post"):
        print_run_pdf(mailing)


@pytest.fixture
def print_urls():
    """The print run's staff pages, as the Mailing admin mounts them."""
    return lambda name, pk: reverse(f"admin:{name}", args=[pk])


def test_staff_download_the_run_and_the_labels_and_mark_it_posted(mailing, staff_client, print_urls):
    page = staff_client.get(print_urls("network_mailing_print", mailing.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "4 members get this mailing by post" in html and "Download the print run (PDF)" in html
    up_to = page.context["form"].initial["up_to"]

    run = staff_client.get(print_urls("network_mailing_print_run", mailing.pk),
                           {"paper": "letter", "up_to": up_to})  # fmt: skip
    assert run.status_code == 200 and run["Content-Type"] == "application/pdf"
    assert "no-store" in run["Cache-Control"]  # members' addresses stay in no cache on the way
    reader = read(run.content)
    assert len(groups(reader)) == len(POST)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    labels = staff_client.get(print_urls("network_mailing_print_labels", mailing.pk),
                              {"sheet": "A4-14", "up_to": up_to})  # fmt: skip
    assert labels.status_code == 200 and "Clara Weiss" in read(labels.content).pages[0].extract_text()
    printed = AuditEntry.objects.filter(code="uadesk.mailing.printed").order_by("pk")
    assert [e.detail for e in printed] == [{"part": "run", "count": 4}, {"part": "labels", "count": 4}]

    # Bad input is a message on the page, not an error.
    bad = staff_client.get(print_urls("network_mailing_print_run", mailing.pk), {"paper": "A3"}, follow=True)
    assert "choose A4 or US Letter" in bad.content.decode()

    mark = print_urls("network_mailing_posted", mailing.pk)
    posted = staff_client.post(mark, {"up_to": up_to}, follow=True)
    assert "4 letters marked posted" in posted.content.decode()
    again = staff_client.post(mark, {"up_to": up_to}, follow=True)
    assert "Nothing left to mark" in again.content.decode()
    mailing.refresh_from_db()
    assert mailing.posted_count == 4
    assert (
        "Nothing to print"
        in staff_client.get(print_urls("network_mailing_print", mailing.pk)).content.decode()
    )
    assert staff_client.get(mark).status_code == 405  # marking is a POST


def test_members_addresses_are_for_staff_who_may_see_members(mailing, django_user_model, print_urls, client):
    user = django_user_model.objects.create_user("mailer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_mailing"))
    staff = staff_login(Client(), user)
    for name in ("network_mailing_print", "network_mailing_print_run", "network_mailing_print_labels"):
        assert staff.get(print_urls(name, mailing.pk)).status_code == 403
    assert staff.post(print_urls("network_mailing_posted", mailing.pk), {"up_to": 1}).status_code == 403
    # Without a second factor, nobody gets in.
    assert client.get(print_urls("network_mailing_print_run", mailing.pk)).status_code == 302
    assert not Recipient.objects.filter(status=Recipient.Status.SENT).exists()


def test_each_member_by_post_gets_their_own_code_to_say_the_letter_is_posted(mailing, client):
    from urllib.parse import urlsplit

    from uadesk.delivery.printing.pack import qr_modules
    from uadesk.network.models import ActedReport
    from uadesk.network.printrun import _reader

    recipients = list(Recipient.objects.filter(mailing=mailing, channel="post").select_related("member"))
    urls = [_reader(r).acted_url for r in recipients[:2]]
    assert urls[0] != urls[1] and all("/network/acted/" in u and u.endswith("/post/") for u in urls)
    assert qr_modules(urls[0]) != qr_modules(urls[1])  # one code per member, drawn from their own link
    path = urlsplit(urls[0]).path
    assert client.get(path).status_code == 200 and not ActedReport.objects.exists()
    assert client.post(path).status_code == 200
    [report] = ActedReport.objects.all()
    assert (report.member, report.channel, report.mailing) == (recipients[0].member, "post", mailing)
