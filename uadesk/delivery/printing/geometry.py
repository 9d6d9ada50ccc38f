"""What the print channel prints on, measured in points: papers, envelopes, single labels, label sheets."""

from dataclasses import dataclass

MM = 72 / 25.4  # points in a millimetre
INCH = 72.0


@dataclass(frozen=True)
class Paper:
    name: str
    typst: str  # Typst's own name for the size, so the page is exactly the standard one
    width: float
    height: float


# ISO 216 A4 is 210 x 297 mm; US Letter is 8.5 x 11 in.
PAPERS = {
    "A4": Paper("A4", "a4", 210 * MM, 297 * MM),
    "Letter": Paper("Letter", "us-letter", 8.5 * INCH, 11 * INCH),
}


@dataclass(frozen=True)
class Envelope:
    """A page the size of an envelope (landscape) or of one label, and where its two addresses go."""

    name: str
    width: float
    height: float
    sender: tuple[float, float, float]  # x, y, width of the return address, from the top left
    recipient: tuple[float, float, float, float]  # x, y, width, height of the recipient's address
    sender_size: float  # points
    recipient_sizes: tuple[float, ...]  # the largest that fits is used


def _mm(*values: float) -> tuple[float, ...]:
    return tuple(v * MM for v in values)


# ISO 269 DL is 220 x 110 mm and C5 229 x 162 mm. The return address sits top left and the
# recipient in the lower right part, where UPU and national posts (Royal Mail, Deutsche Post,
# China Post) expect them, clear of the stamp corner (top right) and the 15 mm barcode strip at the foot.
ENVELOPES = {
    "DL": Envelope("DL", *_mm(220, 110), _mm(10, 9, 90), _mm(95, 42, 115, 52), 8, (12, 11, 10, 9, 8, 7)),
    "C5": Envelope("C5", *_mm(229, 162), _mm(12, 11, 95), _mm(100, 66, 117, 78), 9, (13, 12, 11, 10, 9, 8)),
    # One shipping label from a label printer, 101 x 54 mm (Dymo 99014), to stick on any envelope.
    "label": Envelope("label", *_mm(101, 54), _mm(4, 3, 93), _mm(4, 10, 93, 41), 6.5, (11, 10, 9, 8, 7, 6)),
}


@dataclass(frozen=True)
class Window:
    """Where the window of an envelope lies on a letter's first page, folded in three as it goes in:
    the rectangle the window shows, the zone of the recipient's address inside it (clear of the window's
    edges, so that a letter that slides a little still shows the whole address), the zone of the return
    address above it (or None), the fold marks, and where the letter's text may start below the window.
    Rectangles are (x, y, width, height) from the page's top left, in points."""

    name: str
    paper: str  # a name in PAPERS
    field: tuple[float, float, float, float]
    address: tuple[float, float, float, float]
    sender: tuple[float, float, float, float] | None
    folds: tuple[float, ...]  # distance of each fold from the top
    body_top: float


def _inch(*values: float) -> tuple[float, ...]:
    return tuple(v * INCH for v in values)


WINDOWS = {
    # DIN 5008 form B on A4, for DL and C5/6 window envelopes (DIN 680): the address field is 85 x 45 mm,
    # 20 mm from the left and 45 mm from the top. Its upper 17.7 mm hold the return address (written from
    # the bottom up), the lower 27.3 mm the address (six lines from 62.7 mm down); text starts at 25 mm,
    # the letter's own margin. Folds at 105 and 210 mm; the letter's text starts below 98.4 mm.
    "A4": Window(
        name="DIN 5008 B",
        paper="A4",
        field=_mm(20, 45, 85, 45),
        address=_mm(25, 62.7, 75, 27.3),
        sender=_mm(25, 45, 75, 17.7),
        folds=_mm(105, 210),
        body_top=98.4 * MM,
    ),
    # US Letter folded in three into a #10 window envelope (4 1/8 x 9 1/2 in): the window, 4 1/2 x 1 1/8 in,
    # 7/8 in from the envelope's left and 1/2 in from its bottom, lies 2.042 in from the top of a page that
    # rests on the envelope's bottom (4 1/8 - 1/2 - 1 1/8 - (4 1/8 - 11/3)). The address keeps the 1/8 in
    # clear of the window's edges that USPS asks for; a single window has no room for a return address,
    # which #10 envelopes carry printed on them. Folds at a third and two thirds.
    "Letter": Window(
        name="#10",
        paper="Letter",
        field=_inch(0.875, 2.042, 4.5, 1.125),
        address=_inch(1.0, 2.167, 4.25, 0.875),
        sender=None,
        folds=_inch(11 / 3, 22 / 3),
        body_top=3.5 * INCH,
    ),
}


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of address labels as sold: the page, the label size and where the first label sits.

    `left` and `top` are the page margins to the first label's corner; `pitch_x` and `pitch_y` the
    distance from one label's corner to the next one's (label plus gap). `padding_*` is how far
    the address keeps from the label's edge, so that it survives a printer feeding a little crooked.
    """

    name: str
    source: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float
    padding_x: float
    padding_y: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def label_box(self, index: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the index-th label on its sheet, from the page's top left, in points."""
        k = index % self.per_sheet
        row, column = divmod(k, self.columns)
        return (
            self.left + column * self.pitch_x,
            self.top + row * self.pitch_y,
            self.label_width,
            self.label_height,
        )

    def text_origin(self, index: int) -> tuple[float, float]:
        """Where the address block of the index-th label starts (top left of its text area), in points."""
        x, y, _, _ = self.label_box(index)
        return (x + self.padding_x, y + self.padding_y)


_A4_21 = LabelSheet(
    name="A4-21",
    # 21 labels 70 x 42.3 mm, 3 x 7, edge to edge across the width, so no side margin and no gaps;
    # 7 x 42.3 = 296.1 mm leaves 0.45 mm at the top and the bottom (Avery Zweckform 3652: see PRODUCTS).
    source="70 x 42.3 mm, 3 x 7, margins left 0 mm, top 0.45 mm, pitch 70 x 42.3 mm",
    page_width=210 * MM,
    page_height=297 * MM,
    columns=3,
    rows=7,
    label_width=70 * MM,
    label_height=42.3 * MM,
    left=0,
    top=0.45 * MM,
    pitch_x=70 * MM,
    pitch_y=42.3 * MM,
    # No printer prints to the paper's edge: 5 mm keeps the outer columns' text on the page.
    padding_x=5 * MM,
    padding_y=4 * MM,
)

_A4_14 = LabelSheet(
    name="A4-14",
    # Avery L7163: 14 labels 99.1 x 38.1 mm, 2 x 7. Avery's template: top margin 15.15 mm,
    # side margin 4.65 mm, horizontal pitch 101.6 mm (a 2.5 mm gutter), vertical pitch 38.1 mm
    # (no gap). Check: 4.65 + 101.6 + 99.1 + 4.65 = 210 and 15.15 + 7 x 38.1 + 15.15 = 297.
    source="Avery L7163 template: 99.1 x 38.1 mm, margins left 4.65 mm, top 15.15 mm, pitch 101.6 x 38.1 mm",
    page_width=210 * MM,
    page_height=297 * MM,
    columns=2,
    rows=7,
    label_width=99.1 * MM,
    label_height=38.1 * MM,
    left=4.65 * MM,
    top=15.15 * MM,
    pitch_x=101.6 * MM,
    pitch_y=38.1 * MM,
    padding_x=5 * MM,
    padding_y=3 * MM,
)

_LETTER_30 = LabelSheet(
    name="Letter-30",
    # Avery 5160 (and 5260, 8160): 30 labels 2-5/8 x 1 in, 3 x 10. Avery's template: top
    # margin 0.5 in, side margin 0.1875 in, horizontal pitch 2.75 in (a 1/8 in gutter), vertical
    # pitch 1 in. Check: 0.1875 + 2 x 2.75 + 2.625 + 0.1875 = 8.5 and 0.5 + 10 + 0.5 = 11.
    source="Avery 5160 template: 2.625 x 1 in, margins left 0.1875 in, top 0.5 in, pitch 2.75 x 1 in",
    page_width=8.5 * INCH,
    page_height=11 * INCH,
    columns=3,
    rows=10,
    label_width=2.625 * INCH,
    label_height=1 * INCH,
    left=0.1875 * INCH,
    top=0.5 * INCH,
    pitch_x=2.75 * INCH,
    pitch_y=1 * INCH,
    padding_x=0.15 * INCH,
    padding_y=0.08 * INCH,
)

# By the name a user picks; "L7163" is the product name of the A4-14 sheet.
SHEETS: dict[str, LabelSheet] = {"A4-21": _A4_21, "A4-14": _A4_14, "L7163": _A4_14, "Letter-30": _LETTER_30}


@dataclass(frozen=True)
class LabelProduct:
    """A sheet of labels as a maker sells it, measured as a published template has it: an organiser
    who buys it by its code must get labels where the desk prints them."""

    maker: str
    code: str
    paper: str  # "A4" or "Letter"
    label_width: float  # points
    label_height: float
    columns: int
    rows: int
    row_pitch: float  # from one row's top to the next one's: a row pitch off by a little drifts row by row

    @property
    def name(self) -> str:
        return f"{self.maker} {self.code}"

    def fits(self, sheet: LabelSheet) -> bool:
        """The same paper, label size (to a tenth of a millimetre) and labels across and down."""
        paper = PAPERS[self.paper]
        return (
            abs(paper.width - sheet.page_width) < 0.1 * MM
            and abs(paper.height - sheet.page_height) < 0.1 * MM
            and abs(self.label_width - sheet.label_width) < 0.1 * MM
            and abs(self.label_height - sheet.label_height) < 0.1 * MM
            and (self.columns, self.rows) == (sheet.columns, sheet.rows)
            and abs(self.row_pitch - sheet.pitch_y) < 0.1 * MM
        )


# Products by their published dimensions; a sheet names only those that fit it (products_for). The
# makers' own pages were out of reach where this was checked, so each figure is from a label template
# collection that lists the product by its code, named beside it; a code no source confirmed is left out.
PRODUCTS = (
    # jimevins/glabels-qt, templates/zweckform-iso-templates.xml, part 3475: labels of 198.570 x
    # 102.121 pt (70 x 36 mm), nx 3, ny 8 (24 a sheet), dy 102.121 pt. Not the 21-label sheet it was
    # once named for: bought for A4-21, its rows drift 6.3 mm each from where the desk prints.
    LabelProduct("Avery Zweckform", "3475", "A4", 70 * MM, 36 * MM, 3, 8, row_pitch=36 * MM),
    # awwolf/py_label_printer, src/templates.py, Avery_Zweckform_3652: size (70.0, 42.3) mm, cnt (3, 7),
    # space (0.0, 0.0): rows edge to edge.
    LabelProduct("Avery Zweckform", "3652", "A4", 70 * MM, 42.3 * MM, 3, 7, row_pitch=42.3 * MM),
    # jimevins/glabels-qt, templates/avery-iso-templates.xml, "Avery 7163 family: Mailing labels,
    # 99.1 x 38.1 mm, 14 per sheet" (280.9 x 108 pt, nx 2, ny 7, dy 108 pt), part L7163 equiv 7163.
    LabelProduct("Avery", "L7163", "A4", 99.1 * MM, 38.1 * MM, 2, 7, row_pitch=38.1 * MM),
    # jimevins/glabels-qt, templates/avery-us-templates.xml, part 5160: 2.625 x 1 in, nx 3, ny 10,
    # dy 1 in; parts 5260 and 8160 equiv 5160.
    LabelProduct("Avery", "5160", "Letter", 2.625 * INCH, 1 * INCH, 3, 10, row_pitch=1 * INCH),
    LabelProduct("Avery", "5260", "Letter", 2.625 * INCH, 1 * INCH, 3, 10, row_pitch=1 * INCH),
    LabelProduct("Avery", "8160", "Letter", 2.625 * INCH, 1 * INCH, 3, 10, row_pitch=1 * INCH),
)


def products_for(sheet: LabelSheet) -> list[LabelProduct]:
    """The products an organiser may buy for this sheet: those whose published labels fit it."""
    return [p for p in PRODUCTS if p.fits(sheet)]
