"""SVG charts drawn on the server: well-formed, labelled, and escaped."""

# ruff: noqa: S314 - the XML parsed here is the charts' own output

import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own output

from uadesk.reports.charts import Bar, bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_as_long_as_their_values():
    svg = ET.fromstring(bar_chart([Bar("a", 50), Bar("b", 100), Bar("c", 0)], title="Appeals"))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert widths[0] * 2 == widths[1] and widths[2] == 0
    assert svg.get("aria-label") == "Appeals"


def test_labels_are_escaped_text():
    svg = bar_chart([Bar("<script>alert(1)</script> & co", 3)], title='a "title"')
    tree = ET.fromstring(svg)  # still well-formed
    assert "<script>" not in svg
    assert any("<script>" in (t.text or "") for t in tree.iter(f"{SVG}text"))


def test_columns_cover_every_point_and_an_empty_chart_is_valid():
    svg = ET.fromstring(column_chart([Bar(f"2022-09-{d:02}", d) for d in range(1, 31)], title="Per day"))
    assert len(list(svg.iter(f"{SVG}rect"))) == 30
    assert ET.fromstring(column_chart([], title="Per day")).tag == f"{SVG}svg"
