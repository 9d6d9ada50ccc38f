"""Charts as SVG drawn on the server: no script and no other origin, and a text table goes beside each."""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def _nice_top(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at or above the largest value."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def bar_chart(bars: list[Bar], *, title: str, width: int = 480, bar_height: int = 22) -> str:
    """Horizontal bars with their labels and values written out, so the chart reads without colour."""
    # Room for the 28 characters a label keeps, at the width of wide letters, so none is cut at the left.
    label_width, value_width, gap = 230, 60, 6
    height = max(1, len(bars)) * (bar_height + gap) + gap
    top = _nice_top(max((b.value for b in bars), default=0) or 1)
    room = width - label_width - value_width
    rows = []
    for i, bar in enumerate(bars):
        y = gap + i * (bar_height + gap)
        length = round(room * bar.value / top)
        label = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        baseline = f"{y + bar_height * 0.7:.1f}"
        rows.append(
            f'<text x="{label_width - 8}" y="{baseline}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" class="bar"/>'
            f'<text x="{label_width + length + 6}" y="{baseline}">{bar.value:,}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(title)} class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{escape(title)}</title>{''.join(rows)}</svg>"
    )


def column_chart(points: list[Bar], *, title: str, width: int = 640, height: int = 180) -> str:
    """Vertical columns over time (appeals per day), the top value marked on the axis."""
    axis, bottom = 48, 22
    top = _nice_top(max((p.value for p in points), default=0) or 1)
    plot_w, plot_h = width - axis - 8, height - bottom - 8
    step = plot_w / max(1, len(points))
    columns = []
    for i, point in enumerate(points):
        h = plot_h * point.value / top
        x = axis + i * step
        columns.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{8 + plot_h - h:.1f}" width="{max(step * 0.8, 0.5):.1f}" '
            f'height="{h:.1f}" class="bar"><title>{escape(point.label)}: {point.value:,}</title></rect>'
        )
    labels = ""
    if points:
        labels = (
            f'<text x="{axis}" y="{height - 6}">{escape(points[0].label)}</text>'
            f'<text x="{width - 8}" y="{height - 6}" text-anchor="end">{escape(points[-1].label)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(title)} class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{escape(title)}</title>"
        f'<line x1="{axis}" y1="{8 + plot_h}" x2="{width - 8}" y2="{8 + plot_h}" class="axis"/>'
        f'<text x="{axis - 6}" y="16" text-anchor="end">{top:,}</text>'
        f'<text x="{axis - 6}" y="{8 + plot_h}" text-anchor="end">0</text>'
        f"{''.join(columns)}{labels}</svg>"
    )
