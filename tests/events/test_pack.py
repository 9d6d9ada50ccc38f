"""The event pack read back from its PDF: page count, label positions on each sheet, the Chinese and
Arabic addresses in their fonts, the QR codes, letter paper, and closed actions left out."""

import dataclasses
import datetime
import io
import math

import pypdf
import pytest
import segno
from pypdf.generic import ContentStream

from tests.conftest import at
from tests.delivery.test_printing import _times, clip_boxes, glyph_runs, page_fonts
from tests.events.conftest import EVENT_DAY
from uadesk.delivery.printing import SHEETS, Address, PrintError
from uadesk.delivery.printing.pack import (
    Pack,
    PackAction,
    PackLetter,
    PackTarget,
    pack_pdf,
    page_count,
    qr_modules,
    tally_rows_per_page,
)
from uadesk.events.services import event_pack, event_pack_plan

pytestmark = pytest.mark.django_db
BASE = "https://desk.example.org"
CHINESE = "北京市西城区西长安街街道 100017"
MM = 72 / 25.4


def make_pack(event) -> pypdf.PdfReader:
    with at(EVENT_DAY):
        pdf = event_pack(event=event, base_url=BASE)
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def postal(action) -> int:
    return sum(1 for t in action.targets.all() if t.address or t.native_address)


def expected_pages(event) -> dict[str, int]:
    """The formula the pack documents, counted from the database, not from the pack's own code."""
    codes = event.language_codes
    actions = list(event.actions.all())
    targets = sum(postal(a) for a in actions)
    return {
        "cover": 1,
        "cases": sum(1 + a.letters.filter(language__in=codes).count() for a in actions),
        "paper": targets,
        "labels": math.ceil(event.expected_writers * targets / SHEETS[event.label_sheet].per_sheet),
        "tally": 1,  # five officials fit on one tally page
    }


def texts(reader, first, last) -> list[str]:
    return [reader.pages[i].extract_text() for i in range(first, last)]


@pytest.mark.parametrize(("sheet", "writers"), [("A4-21", 25), ("A4-14", 7), ("Letter-30", 31)])
def test_the_page_count_follows_the_formula(event, sheet, writers):
    event.label_sheet, event.expected_writers = sheet, writers
    event.save()
    reader = make_pack(event)
    parts = expected_pages(event)
    assert len(reader.pages) == sum(parts.values()), parts
    # The parts come in order, each where the cover says.
    cases_end = 1 + parts["cases"]
    paper_end = cases_end + parts["paper"]
    labels_end = paper_end + parts["labels"]
    cover = reader.pages[0].extract_text()
    assert f"pages 2–{cases_end}" in cover
    assert f"pages {cases_end + 1}–{paper_end}" in cover
    assert f"{paper_end + 1}–{labels_end}" in cover and f"page {labels_end + 1}" in cover
    assert all("Deadline:" in t or "Model letter" in t for t in texts(reader, 1, cases_end))
    assert all("10 September 2022" in t for t in texts(reader, cases_end, paper_end))
    assert "Tally sheet" in reader.pages[-1].extract_text()
    # The paper is the label sheet's: US Letter for Letter-30, A4 for the others.
    s = SHEETS[sheet]
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (
            round(s.page_width, 1),
            round(s.page_height, 1),
        )


# Which official each label is for, in pack order: actions by title, officials in their order.
OFFICIALS = [
    ("Abdel Fattah al-Sisi", "Al Ittihadia Palace"),
    ("Xi Jinping", "Zhongnanhai"),
    ("Ma Xingrui", "479 Zhongshan Lu"),
    ("Erkin Tuniyaz", "479 Zhongshan Lu"),
    ("Zheng Zeguang", "49-51 Portland Place"),
]


@pytest.mark.parametrize("sheet", ["A4-21", "A4-14", "Letter-30"])
def test_labels_sit_where_the_sheet_has_them_writer_by_writer(event, sheet):
    event.label_sheet, event.expected_writers = sheet, 9
    event.save()
    reader = make_pack(event)
    parts = expected_pages(event)
    first = 1 + parts["cases"] + parts["paper"]
    s = SHEETS[sheet]
    labels = 9 * len(OFFICIALS)
    for n in range(parts["labels"]):
        page = reader.pages[first + n]
        height = float(page.mediabox.height)
        boxes = clip_boxes(reader, page)
        on_sheet = min(s.per_sheet, labels - n * s.per_sheet)
        assert len(boxes) == on_sheet
        runs = glyph_runs(reader, page)
        for k, box in enumerate(boxes):
            x, top = s.text_origin(k)
            expected = (x, top, s.label_width - 2 * s.padding_x, s.label_height - 2 * s.padding_y)
            assert all(abs(a - b) < 0.5 for a, b in zip(box, expected, strict=True)), (n, k, box, expected)
            # The address inside the label is the official's whose turn it is: 9 labels each.
            name, street = OFFICIALS[(n * s.per_sheet + k) // 9]
            inside = [
                r
                for r in runs
                if x - 1 < r["x"] < x + expected[2] and top < height - r["y"] < top + expected[3]
            ]
            text = "".join(r["text"] for r in inside)
            assert name.replace(" ", "") in text.replace(" ", "") and street.replace(" ", "") in text.replace(
                " ", ""
            )
            if name != "Abdel Fattah al-Sisi":  # left to right: the block starts at the text area's edge
                assert abs(min(r["x"] for r in inside) - x) < 0.5


def test_the_chinese_and_arabic_addresses_are_set_in_their_fonts(event):
    reader = make_pack(event)
    parts = expected_pages(event)
    paper = range(1 + parts["cases"], 1 + parts["cases"] + parts["paper"])
    labels = 1 + parts["cases"] + parts["paper"]
    xi_paper = next(reader.pages[i] for i in paper if "Zhongnanhai" in reader.pages[i].extract_text())
    assert CHINESE in xi_paper.extract_text()
    assert "Dear President Xi Jinping," in xi_paper.extract_text()
    for page in (xi_paper, reader.pages[labels + 1]):
        runs = [r for r in glyph_runs(reader, page) if "北" in r["text"]]
        assert runs and all("NotoSansCJK" in r["font"] for r in runs)
        assert all(0 not in r["codes"] for r in glyph_runs(reader, page))  # no missing glyph anywhere
    letters = set("قصر الاتحادية القاهرة") - {" "}
    runs = glyph_runs(reader, reader.pages[labels])
    arabic = [r for r in runs if r["text"].strip() and set(r["text"]) - {" "} <= letters]
    assert arabic and all("NotoSansArabic" in r["font"] for r in arabic)
    for page in reader.pages:
        assert all(name.startswith("/") and "+Noto" in name for name, _ in page_fonts(page))


def filled_rects(reader, page) -> list[tuple[float, float, float, float]]:
    """(left, top, width, height) of the black filled paths of a page, from its top left."""
    height = float(page.mediabox.height)
    ctm, saved, points, black, rects = [1, 0, 0, 1, 0, 0], [], [], False, []
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"q":
            saved.append(ctm)
        elif op == b"Q":
            ctm = saved.pop()
        elif op == b"cm":
            ctm = _times([float(x) for x in operands], ctm)
        elif op == b"scn":
            black = [float(x) for x in operands] == [0.0]
        elif op in (b"m", b"l"):
            x, y = (float(v) for v in operands)
            points.append((x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5]))
        elif op == b"f":
            if black and points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                rects.append((min(xs), height - max(ys), max(xs) - min(xs), max(ys) - min(ys)))
            points = []
        elif op in (b"n", b"S", b"W"):
            points = []
    return rects


def qr_from_page(reader, page) -> list[str]:
    """The QR matrix as the page draws it: each black rectangle is a run of dark modules."""
    rects = filled_rects(reader, page)
    module = min(h for _, _, _, h in rects)
    rects = [r for r in rects if abs(r[3] - module) < 0.01]
    left, top = min(r[0] for r in rects), min(r[1] for r in rects)
    size = round((max(r[0] + r[2] for r in rects) - left) / module)
    rows = [["0"] * size for _ in range(size)]
    for x, y, w, _ in rects:
        row, col = round((y - top) / module), round((x - left) / module)
        for c in range(col, col + round(w / module)):
            rows[row][c] = "1"
    return ["".join(r) for r in rows]


def test_each_case_sheet_has_a_qr_code_of_its_online_action(event, seed_action):
    reader = make_pack(event)
    sheets = [p for p in reader.pages if "Scan to act online" in p.extract_text()]
    assert len(sheets) == 2
    seed_sheet = next(p for p in sheets if "XINJIANG" in p.extract_text())
    # Without a language: the page opens in the language of each phone that scans it.
    url = BASE + "/actions/" + seed_action.slug + "/"
    drawn = qr_from_page(reader, seed_sheet)
    expected = segno.make_qr(url, error="m", boost_error=False)
    assert drawn == ["".join("1" if c else "0" for c in row) for row in expected.matrix]
    assert drawn == qr_modules(url)
    # About 30 mm across with its quiet zone, big enough for any phone's camera.
    rect = filled_rects(reader, seed_sheet)
    module = min(h for *_, h in rect)
    assert 25 * MM < module * (len(drawn) + 8) < 40 * MM
    text = " ".join(seed_sheet.extract_text().split())
    for part in ["MISSING AND ARBITRARILY DETAINED IN XINJIANG", "23 September 2022", "What to ask",
                 "Immediately release all people", "Xi Jinping", url]:  # fmt: skip
        assert part in text, part


def test_a_case_sheet_names_no_one_by_a_placeholder(event, seed_action):
    seed_action.individuals.update(name="[Group]")  # as earlier imports stored the seed's NAME line
    seed_action.individuals.create(name="Ilham Tohti", pronoun="he/him", position=1)
    reader = make_pack(event)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Ilham Tohti (he/him)" in text
    assert "[Group]" not in text and "(they/them)" not in text


def test_model_letters_come_in_the_chosen_languages_only(event, arabic_action):
    event.languages = "ar"
    event.save()
    reader = make_pack(event)
    # The seed action has no Arabic letter: none of its letters is printed, its case sheet still is.
    letters = [p.extract_text() for p in reader.pages if "Model letter" in p.extract_text()]
    assert len(letters) == 1 and "Arabic" in letters[0]
    assert len(reader.pages) == sum(expected_pages(event).values())


def test_closed_actions_are_left_out_and_named_on_the_cover(event, arabic_action):
    with at(datetime.date(2022, 9, 25)):  # the seed action closed on 23 September
        pdf = event_pack(event=event, base_url=BASE)
        plan = event_pack_plan(event=event, base_url=BASE)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert [a.title for a in plan.actions] == [arabic_action.title]
    cover = reader.pages[0].extract_text()
    assert "Left out, because they are no longer open:" in cover and "XINJIANG" in cover
    assert not any("Zhongnanhai" in p.extract_text() for p in reader.pages[1:])
    writers, sheet = event.expected_writers, SHEETS[event.label_sheet]
    assert len(reader.pages) == 1 + 3 + 1 + math.ceil(writers / sheet.per_sheet) + 1


def test_the_pack_is_set_in_the_organisers_language(event):
    from django.utils import translation

    with translation.override("ar"), at(EVENT_DAY):
        plan = event_pack_plan(event=event, base_url=BASE)
    assert plan.language == "ar"
    # The QR codes lead to the page without a language prefix, whatever the organiser reads.
    assert all(a.url.startswith(BASE + "/actions/") for a in plan.actions)


# The print channel's own contract


def small_pack(**changes) -> Pack:
    target = PackTarget(Address("Xi Jinping", ["Zhongnanhai"], [CHINESE], "zh"), "Dear President,", "Xi")
    action = PackAction(
        title="A", reference="", deadline="1 May", url="https://desk.example.org/actions/a/", summary="S",
        individuals=[], asks=[], letters=[PackLetter("en", "Model letter", "Dear", "Body", "Yours")],
        targets=[target],
    )  # fmt: skip
    fields = dict(title="E", subtitle="", date=datetime.date(2022, 9, 10), writers=3, sheet="A4-21",
                  actions=[action], parts=[])  # fmt: skip
    return Pack(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sheet": "A5-8"}, "unknown label sheet"),
        ({"actions": []}, "no action"),
        ({"writers": 0}, "at least one writer"),
    ],
)
def test_bad_packs_are_print_errors(changes, message):
    with pytest.raises(PrintError, match=message):
        pack_pdf(small_pack(**changes))


def test_user_text_stays_text_and_the_same_pack_gives_the_same_bytes():
    hostile = small_pack(title='#pagebreak() #panic("x")', subtitle="*bold* $x$")
    pdf = pack_pdf(hostile)
    assert pdf == pack_pdf(hostile)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert '#pagebreak() #panic("x")' in reader.pages[0].extract_text()
    assert len(reader.pages) == 1 + 2 + 1 + 1 + 1


@pytest.mark.parametrize(("sheet", "writers"), [("A4-21", 60), ("Letter-30", 10)])
def test_the_tally_runs_over_pages_row_by_row(sheet, writers):
    base = small_pack().actions[0]
    targets = [dataclasses.replace(base.targets[0], tally=f"Official {i}") for i in range(20)]
    pack = small_pack(actions=[dataclasses.replace(base, targets=targets)], writers=writers, sheet=sheet)
    reader = pypdf.PdfReader(io.BytesIO(pack_pdf(pack)))
    per_page = tally_rows_per_page(sheet, writers)
    tally = [p.extract_text() for p in reader.pages if "Tally sheet" in p.extract_text()]
    assert len(tally) == math.ceil(20 / per_page) == page_count(pack)["tally"] > 1
    assert [t.count("Total") for t in tally] == [min(per_page, 20 - k * per_page) for k in range(len(tally))]
    assert len(reader.pages) == sum(page_count(pack).values())


LONG_TITLE = (
    "Human rights defenders Li Qiaochu and Ding Jiaxi detained incommunicado for seeking justice for "
    "victims of torture in Shandong"
)


def shown(run) -> bool:
    """Whether the run's line is inside the clipping rectangle it is drawn in (if any): from 2 pt under
    its baseline (the descenders) to 5 pt above it (the capitals at 8.5 pt)."""
    clip = run["clip"]
    return clip is None or (clip[1] <= run["y"] - 2 and run["y"] + 5 <= clip[3])


@pytest.mark.parametrize("sheet", ["A4-21", "Letter-30"])
def test_a_long_action_title_wraps_whole_on_the_tally_sheet(sheet):
    assert 115 <= len(LONG_TITLE) <= 130
    base = small_pack().actions[0]
    official = dataclasses.replace(
        base.targets[0], tally="Xi Jinping, President of the People's Republic of China"
    )
    long = dataclasses.replace(base, title=LONG_TITLE, targets=[official, official])
    pack = small_pack(
        actions=[long, dataclasses.replace(base, title="Short", targets=[official])], sheet=sheet
    )
    reader = pypdf.PdfReader(io.BytesIO(pack_pdf(pack)))
    assert len(reader.pages) == sum(page_count(pack).values())
    tally = [p for p in reader.pages if "Tally sheet" in p.extract_text()]
    assert len(tally) == 1
    runs = glyph_runs(reader, tally[0])
    # Every word of the title is on the page where it can be seen, in both rows of the long title.
    seen = " ".join("".join(r["text"] for r in runs if shown(r)).split())
    hidden = [r["text"] for r in runs if r["text"].strip() and not shown(r)]
    assert not hidden, hidden
    for word in LONG_TITLE.split():
        assert seen.count(word) >= 2, word
    assert seen.count(LONG_TITLE.split()[-1]) == 2 and "· Short" in seen
    # No row runs into the next: each title's last line stands above its own row's "Total".
    height = float(tally[0].mediabox.height)
    last_line = sorted(height - r["y"] for r in runs if "Shandong" in r["text"])
    totals = sorted(height - r["y"] for r in runs if r["text"].startswith("Total"))
    assert len(last_line) == 2 and len(totals) == 3
    assert last_line[0] < totals[0] - 5 * MM and totals[0] < last_line[1] < totals[1] - 5 * MM


@pytest.mark.parametrize("language", ["en", "und"])
def test_the_english_case_in_an_arabic_pack_runs_left_to_right(language):
    summary = "48 individuals from predominantly Muslim ethnic groups have been interned in camps."
    base = small_pack().actions[0]
    action = dataclasses.replace(base, title="Missing in Xinjiang", summary=summary, language=language)
    reader = pypdf.PdfReader(io.BytesIO(pack_pdf(small_pack(actions=[action], language="ar"))))
    case = next(p for p in reader.pages if "Scan to act online" in p.extract_text())
    runs = [r for r in glyph_runs(reader, case) if r["text"].strip()]
    line = [r for r in runs if abs(r["y"] - next(r["y"] for r in runs if "individuals" in r["text"])) < 2]
    line.sort(key=lambda r: r["x"])
    # The number that opens the sentence first on the left margin, its full stop last on the right.
    assert line[0]["text"].startswith("48") and line[0]["x"] == pytest.approx(20 * MM, abs=1)
    assert line[-1]["text"].endswith("camps.")
