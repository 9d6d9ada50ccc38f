"""The print channel read back from its PDFs: pages, sizes, fonts, scripts, label positions, literal text."""

import datetime
import io
import re

import pypdf
import pytest
import typst
from pypdf.generic import ByteStringObject, ContentStream, TextStringObject

from uadesk.delivery.printing import (
    ENVELOPES,
    PAPERS,
    SHEETS,
    Address,
    PrintError,
    PrintLetter,
    engine,
    labels_pdf,
    letter_pdf,
)
from uadesk.delivery.printing.geometry import PRODUCTS, products_for

MM = 72 / 25.4
CHINESE = "北京市西城区西长安街街道 100017"
XI = Address(
    "Xi Jinping",
    ["President of the People's Republic of China", "Zhongnanhai",
     "Xichangan'jie Xichengqu, Beijing Shi 100017", "People's Republic of China"],
    [CHINESE],
    "zh",
)  # fmt: skip
BODY = """I am distressed to learn that 120 people from predominantly Muslim ethnic groups have been
allegedly interned in camps or sentenced without a fair trial and sent to prison in Xinjiang.

I therefore urge you to release all people detained in internment camps and in prisons in Xinjiang."""

# Each script with its language, the sample and the Noto family that must set it.
SCRIPTS = {
    "arabic": ("ar", "جمهورية مصر العربية", "NotoSansArabic"),
    "persian": ("fa", "جمهوری اسلامی ایران", "NotoSansArabic"),
    "russian": ("ru", "Российская Федерация", "NotoSans-"),
    "hebrew": ("he", "מדינת ישראל", "NotoSansHebrew"),
    "devanagari": ("hi", "भारत गणराज्य", "NotoSansDevanagari"),
    "thai": ("th", "ราชอาณาจักรไทย", "NotoSansThai"),
    "latin": ("es", "Ñuñoa, São Paulo, Łódź", "NotoSans-"),
    "chinese": ("zh", CHINESE, "NotoSansCJK"),
}
RTL = {"ar", "fa", "he"}


@pytest.fixture(scope="module", autouse=True)
def fonts_installed():
    found = set(typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                            font_paths=[str(engine.font_dir())]).families())  # fmt: skip
    absent = sorted(engine.REQUIRED_FAMILIES - found)
    if absent:
        pytest.fail(
            f"Noto fonts missing from {engine.font_dir()}: {absent}. Run scripts/install-fonts first."
        )


def letter(**changes) -> PrintLetter:
    fields = dict(recipient=XI, sender_lines=["Anna Nowak", "Łódź"], date=datetime.date(2022, 9, 1),
                  salutation="Dear President Xi Jinping,", body=BODY, closing="Yours sincerely,",
                  signature="Anna Nowak", language="en")  # fmt: skip
    return PrintLetter(**(fields | changes))


def read(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def size(page) -> tuple[float, float]:
    return (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))


# A small reader of the page's text operators: which font draws which glyph codes where, and the
# text those glyphs stand for (ToUnicode, or the /ActualText Typst writes for clusters like ज्य).


def to_unicode(font) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for i, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(int(text, 16) + i)
    return mapping


def advance_widths(font) -> tuple[dict[int, float], float]:
    """The advance width of each glyph code of a Type 0 font, in thousandths of the font size (/W),
    and the width of any other (/DW)."""
    cid_font = font["/DescendantFonts"][0].get_object()
    table, widths = list(cid_font.get("/W", [])), {}
    while table:
        first, rest = int(table[0]), table[1]
        if isinstance(rest, list) or hasattr(rest, "__iter__"):
            widths |= {first + i: float(w) for i, w in enumerate(rest)}
            table = table[2:]
        else:
            widths |= dict.fromkeys(range(first, int(rest) + 1), float(table[2]))
            table = table[3:]
    return widths, float(cid_font.get("/DW", 1000))


def _times(a, b):
    """The product of two PDF matrices [a b c d e f]: a first, then b."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def glyph_runs(reader, page) -> list[dict]:
    """Each run of glyphs: its font, codes, text, where its baseline starts (x, y, in PDF points from
    the bottom left), its width (so x + width is where it ends on the right) and the clipping
    rectangle it is drawn in, (left, bottom, right, top) or None."""
    fonts = {name: ref.get_object() for name, ref in page["/Resources"]["/Font"].items()}
    maps = {name: to_unicode(font) for name, font in fonts.items()}
    widths = {name: advance_widths(font) for name, font in fonts.items()}
    ctm, saved, tm, font, marks, runs = [1, 0, 0, 1, 0, 0], [], [1, 0, 0, 1, 0, 0], None, [], []
    size = 0.0
    clip, points = None, []
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"q":
            saved.append((ctm, clip))
        elif op == b"Q":
            ctm, clip = saved.pop()
        elif op == b"cm":
            ctm = _times([float(x) for x in operands], ctm)
        elif op in (b"m", b"l"):
            x, y = (float(v) for v in operands)
            points.append((x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5]))
        elif op == b"W" and points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            box = (min(xs), min(ys), max(xs), max(ys))
            clip = box if clip is None else (
                max(box[0], clip[0]), max(box[1], clip[1]), min(box[2], clip[2]), min(box[3], clip[3])
            )  # fmt: skip
        elif op in (b"n", b"S", b"f", b"B"):
            points = []
        elif op == b"BT":
            tm = [1, 0, 0, 1, 0, 0]
        elif op == b"Tm":
            tm = [float(x) for x in operands]
        elif op == b"Tf":
            font, size = operands[0], float(operands[1])
        elif op in (b"BDC", b"BMC"):
            props = operands[1] if op == b"BDC" and hasattr(operands[1], "get") else {}
            actual = props.get("/ActualText")
            marks.append(
                {"tag": operands[0], "actual": None if actual is None else str(actual), "used": False}
            )
        elif op == b"EMC" and marks:
            marks.pop()
        elif op in (b"Tj", b"TJ"):
            codes, shift = [], 0.0
            for item in operands[0] if op == b"TJ" else operands:
                if isinstance(item, ByteStringObject):
                    raw = bytes(item)
                elif isinstance(item, TextStringObject):
                    raw = item.get_encoded_bytes()
                else:
                    shift += float(item)  # a TJ adjustment, in thousandths, taken from the advance
                    continue
                codes += [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            text = "".join(maps[font].get(code, "\ufffd") for code in codes)
            if any(mark["tag"] == "/ReversedChars" for mark in marks):
                text = text[::-1]
            actual = next((mark for mark in reversed(marks) if mark["actual"] is not None), None)
            if actual is not None:
                text, actual["used"] = ("" if actual["used"] else actual["actual"]), True
            at = _times(tm, ctm)
            base = str(fonts[font]["/BaseFont"])
            advance = sum(widths[font][0].get(code, widths[font][1]) for code in codes) - shift
            width = advance / 1000 * size * at[0]
            runs.append({"font": base, "codes": codes, "text": text, "x": at[4], "y": at[5], "width": width,
                         "clip": clip})  # fmt: skip
    return runs


def clip_boxes(reader, page) -> list[tuple[float, float, float, float]]:
    """(left, top, width, height) of each clipping rectangle, from the page's top left: Typst clips each
    label's address block to its text area, so these are the label boxes as printed."""
    height = float(page.mediabox.height)
    ctm, saved, points, boxes = [1, 0, 0, 1, 0, 0], [], [], []
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"q":
            saved.append(ctm)
        elif op == b"Q":
            ctm = saved.pop()
        elif op == b"cm":
            ctm = _times([float(x) for x in operands], ctm)
        elif op in (b"m", b"l"):
            x, y = (float(v) for v in operands)
            points.append((x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5]))
        elif op == b"W":
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes.append((min(xs), height - max(ys), max(xs) - min(xs), max(ys) - min(ys)))
        elif op in (b"n", b"S", b"f", b"B"):
            points = []
    return boxes


def page_fonts(page) -> list[tuple[str, set[str]]]:
    """(BaseFont, the FontFile keys of its descriptor) for each font the page uses."""
    found = []
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        found.append((str(font["/BaseFont"]), {k for k in descriptor if k.startswith("/FontFile")}))
    return found


# The letter and its envelope


@pytest.mark.parametrize(
    ("paper", "envelope", "sizes"),
    [
        ("A4", "DL", [(595.28, 841.89), (623.62, 311.81)]),
        ("Letter", "C5", [(612.0, 792.0), (649.13, 459.21)]),
        ("A4", "label", [(595.28, 841.89), (286.3, 153.07)]),
        ("Letter", None, [(612.0, 792.0)]),
    ],
)
def test_pages_and_their_sizes(paper, envelope, sizes):
    reader = read(letter_pdf(letter(), paper=paper, envelope=envelope))
    assert [size(page) for page in reader.pages] == sizes
    if envelope:  # the sizes above are ISO 269 DL 220 x 110 mm and C5 229 x 162 mm, landscape
        e = ENVELOPES[envelope]
        assert size(reader.pages[-1]) == (round(e.width, 2), round(e.height, 2))


def test_a_long_letter_runs_over_pages_numbered_before_the_envelope():
    long_body = "\n\n".join([BODY] * 12)
    reader = read(letter_pdf(letter(body=long_body)))
    assert len(reader.pages) >= 3
    letter_pages = reader.pages[:-1]
    assert all(size(page) == (595.28, 841.89) for page in letter_pages)
    assert size(reader.pages[-1]) == (623.62, 311.81)
    total = len(letter_pages)
    for number, page in enumerate(letter_pages, start=1):
        assert f"{number} / {total}" in page.extract_text()
    assert "/ " not in reader.pages[-1].extract_text()


def test_the_letter_page_carries_sender_recipient_date_and_words():
    text = read(letter_pdf(letter(), envelope=None)).pages[0].extract_text()
    parts = ["Anna Nowak", "Łódź", "Xi Jinping", "Zhongnanhai", CHINESE, "1 September 2022",
             "Dear President Xi Jinping,", "Yours sincerely,", "sent to prison in Xinjiang."]  # fmt: skip
    for part in parts:
        assert part in text


def test_the_envelope_carries_the_chinese_address_and_the_return_address():
    reader = read(letter_pdf(letter(), envelope="DL"))
    envelope = reader.pages[-1]
    text = envelope.extract_text()
    assert CHINESE in text
    assert "People's Republic of China" in text and "Anna Nowak" in text
    runs = glyph_runs(reader, envelope)
    chinese = [run for run in runs if "北" in run["text"]]
    sender = [run for run in runs if run["text"] == "Anna Nowak"]
    assert chinese and all("NotoSansCJK" in run["font"] for run in chinese)
    # Return address top left, recipient in the lower right half (PDF y grows upwards).
    height = float(envelope.mediabox.height)
    assert sender[0]["x"] < 40 * MM and sender[0]["y"] > height - 25 * MM
    assert chinese[0]["x"] > 90 * MM and chinese[0]["y"] < height - 40 * MM
    assert "Dear President" not in text


def test_fonts_are_embedded_and_subset():
    reader = read(letter_pdf(letter(body=BODY + "\n\n" + " ".join(s for _, s, _ in SCRIPTS.values()))))
    for page in reader.pages:
        fonts = page_fonts(page)
        assert fonts
        for name, files in fonts:
            assert re.fullmatch(r"/[A-Z]{6}\+Noto\S+", name), name
            assert files & {"/FontFile2", "/FontFile3"}, name


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_every_script_is_set_in_a_noto_font_that_has_it(script):
    lang, sample, family = SCRIPTS[script]
    recipient = Address("Recipient", ["Street 1", "City"], [sample], lang)
    reader = read(letter_pdf(letter(recipient=recipient, sender_lines=["Anna Nowak", "Berlin"], body=sample,
                                    language=lang, salutation="—")))  # fmt: skip
    letters = set(sample) - {" "}
    for page in reader.pages:
        runs = glyph_runs(reader, page)
        # No .notdef anywhere: code 0 is the empty box a font draws for a character it lacks.
        assert all(0 not in run["codes"] for run in runs)
        ours = [run for run in runs if run["text"].strip() and set(run["text"]) - {" "} <= letters]
        assert ours, f"no {script} text on the page"
        assert all(family in run["font"] for run in ours), {run["font"] for run in ours}
        line = [run for run in ours if abs(run["y"] - ours[0]["y"]) < 3]
        if lang in {"ar", "fa"}:
            # Noto's Arabic draws dots as glyphs of their own, and Typst's ToUnicode maps those to the
            # letter too, so no PDF reader gets the word back letter for letter (typst/typst#4582).
            # What can be checked: exactly the sample's letters, م set in two contextual forms
            # (initial and medial: the letters were joined), and the first letter on the right.
            assert set("".join(run["text"] for run in line)) - {" "} == letters
            meem = {
                code for run in line for code, ch in zip(run["codes"], run["text"], strict=False) if ch == "م"
            }
            assert len(meem) >= 2
            first = max(run["x"] for run in line if run["text"] == sample[0])
            last = min(run["x"] for run in line if sample[-1] in run["text"])
            assert first > last
        else:
            order = sorted(line, key=lambda run: run["x"], reverse=lang in RTL)
            assert "".join(run["text"] for run in order).replace(" ", "") == sample.replace(" ", "")
    if lang in {"ru", "es", "zh"}:
        assert sample in reader.pages[0].extract_text()


def test_a_right_to_left_letter_is_set_right_to_left():
    arabic = Address(
        "Abdel Fattah al-Sisi", ["Al Ittihadia Palace", "Cairo", "Egypt"], ["قصر الاتحادية"], "ar"
    )
    arabic_letter = letter(recipient=arabic, body="أكتب إليكم بشأن", language="ar", salutation="سيادة الرئيس")
    reader = read(letter_pdf(arabic_letter, envelope=None))
    runs = glyph_runs(reader, reader.pages[0])
    width = float(reader.pages[0].mediabox.width)
    salutation = [run for run in runs if run["text"] and set(run["text"]) <= set("سيادة الرئيس")]
    sender = [run for run in runs if run["text"] == "Anna Nowak"]
    # The body's lines start on the right, and the sender block sits on the left (the far side).
    assert max(run["x"] for run in salutation) > width / 2
    assert sender[0]["x"] < width / 2


ARABIC_BODY = (
    "أكتب إليكم للتعبير عن قلقي البالغ إزاء احتجاز 48 شخصًا من مجموعات عرقية ذات أغلبية مسلمة، "
    "وأحثكم على الإفراج عنهم فورًا ودون قيد أو شرط.\n\nمع خالص التحيات،"
)
ENGLISH_BODY = (
    "I write to you about the 48 people from predominantly Muslim ethnic groups detained in Xinjiang, "
    "and urge you to release them immediately and unconditionally.\n\nYours sincerely,"
)
MARGIN = 22 * MM  # the letter's side margins


def lines_of(runs) -> list[list[dict]]:
    """The runs grouped into printed lines, top line first, each line's runs from left to right. Noto's
    Arabic draws dots and vowel marks as glyphs of their own, a few points off the baseline: a line
    ends where the next run sits more than 5 pt lower than the last (lines are 15 pt apart)."""
    lines: list[list[dict]] = []
    for run in sorted((r for r in runs if r["text"].strip()), key=lambda r: -r["y"]):
        if lines and lines[-1][-1]["y"] - run["y"] < 5:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [sorted(line, key=lambda r: r["x"]) for line in lines]


@pytest.mark.parametrize(
    ("language", "salutation", "body", "signature", "way"),
    [
        ("ar", "سيادة الرئيس،", ARABIC_BODY, "أحمد علي، القاهرة", "rtl"),
        # The supporter's own language ("und"): the letter runs the way its words do.
        ("und", "سيادة الرئيس،", ARABIC_BODY, "أحمد علي، القاهرة", "rtl"),
        ("en", "Dear President,", ENGLISH_BODY, "Anna Nowak, Łódź", "ltr"),
    ],
)
def test_a_letter_runs_its_way_with_its_punctuation_in_place(language, salutation, body, signature, way):
    arabic = Address("Abdel Fattah al-Sisi", ["Al Ittihadia Palace", "Cairo"], ["قصر الاتحادية"], "ar")
    reader = read(letter_pdf(letter(recipient=arabic, salutation=salutation, body=body, closing="",
                                    signature=signature, language=language), envelope=None))  # fmt: skip
    page = reader.pages[0]
    width = float(page.mediabox.width)
    text = page.extract_text()
    lines = lines_of(glyph_runs(reader, page))
    # Under the date: the salutation, the paragraph's lines, the closing, the signature.
    date = next(i for i, line in enumerate(lines) if "2022" in "".join(r["text"] for r in line))
    ours = lines[date + 1 :]
    assert len(ours) >= 5, [" ".join(r["text"] for r in line) for line in ours]
    closing, paragraph = ours[-2], ours[1]
    for line in ours:
        start, end = min(r["x"] for r in line), max(r["x"] + r["width"] for r in line)
        if way == "rtl":  # every line starts at the right margin, its first word there
            assert end == pytest.approx(width - MARGIN, abs=1.5), [r["text"] for r in line]
        else:
            assert start == pytest.approx(MARGIN, abs=1.5), [r["text"] for r in line]
    # Each full line of the paragraph reaches the other margin too, give or take a word.
    reach = max(r["x"] + r["width"] for r in paragraph) - min(r["x"] for r in paragraph)
    assert reach > width - 2 * MARGIN - 20 * MM
    # The punctuation that ends a line stands at its end: on the left in Arabic, on the right in English.
    comma = "،" if way == "rtl" else ","
    last = closing[0] if way == "rtl" else closing[-1]
    assert comma in last["text"], [r["text"] for r in closing]
    assert comma in "".join(r["text"] for r in ours[-1])  # between the name and the town
    if way == "rtl":
        # The Arabic comma in the salutation, the paragraph, the closing and the signature, no Latin one.
        assert text.count("،") >= 4 and "," not in text


# Label sheets


@pytest.mark.parametrize("sheet", ["A4-21", "A4-14", "L7163", "Letter-30"])
def test_labels_sit_where_the_sheet_has_them(sheet):
    s = SHEETS[sheet]
    count = s.per_sheet + 2
    addresses = [Address(f"Label {i + 1}", ["Street 1", "City"]) for i in range(count)]
    reader = read(labels_pdf(addresses, sheet=sheet))
    assert len(reader.pages) == 2
    assert all(size(page) == (round(s.page_width, 2), round(s.page_height, 2)) for page in reader.pages)
    boxes = [clip_boxes(reader, page) for page in reader.pages]
    assert [len(b) for b in boxes] == [s.per_sheet, 2]
    offsets = []
    for i in range(count):
        page = reader.pages[i // s.per_sheet]
        # The label's text area as printed, against the sheet's margins, pitch and the label's padding.
        box = boxes[i // s.per_sheet][i % s.per_sheet]
        x, top = s.text_origin(i)
        expected = (x, top, s.label_width - 2 * s.padding_x, s.label_height - 2 * s.padding_y)
        assert all(abs(a - b) < 0.5 for a, b in zip(box, expected, strict=True)), (i, box, expected)
        # And the address in it: the first line starts at the text area's left edge.
        runs = [run for run in glyph_runs(reader, page) if run["text"] == f"Label {i + 1}"]
        assert len(runs) == 1, f"label {i + 1}"
        assert abs(runs[0]["x"] - x) < 0.5, (i, runs[0]["x"], x)
        offsets.append((float(page.mediabox.height) - runs[0]["y"]) - top)  # baseline below the text top
    # Every label's first baseline lies the same distance under its text top, inside the label.
    assert max(offsets) - min(offsets) < 0.5
    assert 0 < offsets[0] < s.label_height - 2 * s.padding_y


def test_label_sheets_measure_up():
    for name, s in SHEETS.items():
        right = s.left + (s.columns - 1) * s.pitch_x + s.label_width
        bottom = s.top + (s.rows - 1) * s.pitch_y + s.label_height
        assert s.left >= 0 and right <= s.page_width + 0.01, name
        assert s.top >= 0 and bottom <= s.page_height + 0.01, name
        assert s.pitch_x >= s.label_width and s.pitch_y >= s.label_height, name
    assert (
        round(SHEETS["A4-21"].label_width / MM, 1) == 70.0
        and round(SHEETS["A4-21"].label_height / MM, 1) == 42.3
    )
    assert (
        round(SHEETS["A4-14"].label_width / MM, 1) == 99.1
        and round(SHEETS["A4-14"].label_height / MM, 1) == 38.1
    )
    assert (SHEETS["Letter-30"].label_width, SHEETS["Letter-30"].label_height) == (2.625 * 72, 72)


def test_each_sheet_names_only_products_whose_labels_fit_it():
    from uadesk.events.models import Event

    for name, sheet in SHEETS.items():
        products = products_for(sheet)
        assert products, f"{name}: no product confirmed for it"
        for product in products:
            paper = PAPERS[product.paper]
            assert (round(product.label_width / MM, 1), round(product.label_height / MM, 1)) == (
                round(sheet.label_width / MM, 1), round(sheet.label_height / MM, 1)
            ), (name, product.name)  # fmt: skip
            assert product.columns * product.rows == sheet.per_sheet, (name, product.name)
            assert abs(paper.width - sheet.page_width) < 1 and abs(paper.height - sheet.page_height) < 1
    # What the organiser reads when choosing the sheet names a product that fits it, and only such.
    for value, label in Event.LabelSheet.choices:
        named = re.search(r"\((.+) and alike\)", str(label)).group(1)
        assert named in [p.name for p in products_for(SHEETS[value])], (value, label)
    # Avery Zweckform 3475 is 70 x 36 mm, 24 a sheet: bought for the 21-label sheet, its rows would
    # drift 6.3 mm each from the printed ones.
    zweckform_3475 = next(p for p in PRODUCTS if p.code == "3475")
    assert not any(zweckform_3475.fits(sheet) for sheet in SHEETS.values())
    assert round((SHEETS["A4-21"].pitch_y - zweckform_3475.label_height) / MM, 1) == 6.3


@pytest.mark.parametrize("sheet", ["A4-21", "A4-14", "Letter-30"])
def test_labels_are_printed_at_the_pitch_of_the_products_named(sheet):
    s = SHEETS[sheet]
    reader = read(
        labels_pdf([Address(f"Label {i + 1}", ["Street 1"]) for i in range(s.per_sheet)], sheet=sheet)
    )
    page = reader.pages[0]
    boxes = clip_boxes(reader, page)  # each label's text area, in reading order
    assert len(boxes) == s.per_sheet == products_for(s)[0].columns * products_for(s)[0].rows
    for product in products_for(s):
        lefts = [boxes[c][0] for c in range(product.columns)]
        tops = [boxes[r * product.columns][1] for r in range(product.rows)]
        # Down the page, one row to the next is the product's own row pitch, as its template has it;
        # across, the sheet's pitch, never less than a label.
        assert all(abs(b - a - product.row_pitch) < 0.1 for a, b in zip(tops, tops[1:], strict=False)), tops
        assert all(abs(b - a - s.pitch_x) < 0.1 for a, b in zip(lefts, lefts[1:], strict=False)), lefts
        assert s.pitch_x >= product.label_width - 0.1
        # The last row and column still end on the paper.
        assert tops[-1] - s.padding_y + product.label_height <= float(page.mediabox.height) + 0.1
        assert lefts[-1] - s.padding_x + product.label_width <= float(page.mediabox.width) + 0.1


def test_labels_carry_the_native_script_and_outlines_draw_the_edges():
    reader = read(labels_pdf([XI, XI], sheet="A4-14", outlines=True))
    page = reader.pages[0]
    assert page.extract_text().count(CHINESE) == 2
    assert any("NotoSansCJK" in name for name, _ in page_fonts(page))
    content = page.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r" re\b", content)) + content.count(" l ") >= 2


# User text stays text

MARKUP = "#set page(width: 1pt) *bold* <script>"


def test_markup_in_user_text_comes_out_literally():
    hostile = letter(
        recipient=Address(
            MARKUP, ["$x^2$ #strong[Street] \\ _under_", "<b>City</b> ) Tj ET (", '#panic("no")']
        ),
        sender_lines=[MARKUP, "Town // not a comment"],
        salutation="Dear #sys.inputs,",
        body='Paragraph with #import "x.typ" and ```raw``` and = heading\n\n%PDF-1.7 endobj <</Type /Page>>',
        signature="<script>alert(1)</script>",
    )
    reader = read(letter_pdf(hostile))
    assert size(reader.pages[0]) == (595.28, 841.89)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for literal in [MARKUP, "$x^2$ #strong[Street] \\ _under_", "<b>City</b> ) Tj ET (", "#panic(\"no\")",
                    "Town // not a comment", "Dear #sys.inputs,", "#import \"x.typ\"", "```raw```",
                    "= heading", "%PDF-1.7 endobj <</Type /Page>>", "<script>alert(1)</script>"]:  # fmt: skip
        assert literal in text, literal
    labels = read(labels_pdf([Address(MARKUP, ["#pagebreak()"])], sheet="A4-21"))
    assert len(labels.pages) == 1
    assert MARKUP in labels.pages[0].extract_text() and "#pagebreak()" in labels.pages[0].extract_text()


# Bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: letter_pdf(letter(body="  \n\n ")), "no body"),
        (lambda: letter_pdf(letter(), paper="A5"), "unknown paper"),
        (lambda: letter_pdf(letter(), envelope="C4"), "unknown envelope"),
        (lambda: letter_pdf(letter(language="not a language")), "language"),
        (lambda: letter_pdf(letter(recipient=Address("", []))), "recipient"),
        (lambda: labels_pdf([XI], sheet="A4-99"), "unknown label sheet"),
        (lambda: labels_pdf([]), "no addresses"),
    ],
)
def test_bad_input_is_a_print_error_of_one_line(call, message):
    with pytest.raises(PrintError, match=message) as raised:
        call()
    assert isinstance(raised.value, ValueError)
    assert "\n" not in str(raised.value)


def test_missing_fonts_say_to_run_install_fonts(tmp_path):
    with pytest.raises(PrintError, match="run scripts/install-fonts"):
        letter_pdf(letter(), font_dir=tmp_path)


def test_the_same_letter_gives_the_same_bytes():
    assert letter_pdf(letter()) == letter_pdf(letter())
