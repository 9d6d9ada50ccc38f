"""Text in another language than the page's, as a real browser lays it out: the English case on the Arabic
page runs left to right, its number where the sentence has it."""

import datetime

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Where the browser put `needle` (its first or last occurrence) in the first text of `element`, and the
# box of the element: the summary's first paragraph, whose first line starts at its top.
MEASURE = """(element, [needle, last]) => {
    const text = document.createTreeWalker(element, NodeFilter.SHOW_TEXT).nextNode();
    const start = last ? text.data.lastIndexOf(needle) : text.data.indexOf(needle);
    if (start < 0) return null;
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, start + needle.length);
    const box = range.getClientRects()[0];
    const line = element.getBoundingClientRect();
    return {text: range.toString(), left: box.left, right: box.right, top: box.top,
            line_left: line.left, line_right: line.right};
}"""


def measure(page, selector: str, needle: str, *, last: bool = False) -> dict:
    found = page.locator(selector).first.evaluate(MEASURE, [needle, last])
    assert found, f"{needle!r} is not in {selector}"
    return found


def test_the_english_case_on_the_arabic_page_keeps_its_number_at_the_start(
    desk, page, seed_action, screenshot
):
    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=30)
    seed_action.save()
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(desk(f"/ar/actions/{seed_action.slug}/"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "arabic-page", full_page=False)
    paragraph = ".summary p"
    text = page.locator(paragraph).first.inner_text()
    assert text.startswith("48 individuals from predominantly Muslim ethnic groups")

    number = measure(page, paragraph, "48")
    word = measure(page, paragraph, "individuals")
    # "48" opens the English sentence: on its line it comes first on the left, the words after it to
    # its right. Laid out right to left, it would end the line on the right, after "…ethnic groups".
    assert number["top"] == pytest.approx(word["top"], abs=2)
    assert number["left"] == pytest.approx(number["line_left"], abs=2), number
    assert word["left"] > number["right"]
    assert number["right"] < (number["line_left"] + number["line_right"]) / 2

    # The paragraph's last full stop follows its last word, on the right (right to left, it would
    # stand at the far left of the line).
    last_word = measure(page, paragraph, "Xinjiang", last=True)
    stop = measure(page, paragraph, ".", last=True)
    assert stop["top"] == pytest.approx(last_word["top"], abs=2)
    assert stop["left"] == pytest.approx(last_word["right"], abs=2), (stop, last_word)
