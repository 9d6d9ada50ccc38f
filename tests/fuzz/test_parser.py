"""The UA parser on any text: a document or NotAnUrgentAction, never another error, never a hang."""

import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from .properties import check_parse
from .strategies import SEED, ua_like_text


# The deadline is per example: a regular expression that backtracks on some input fails it.
@settings(max_examples=100, deadline=datetime.timedelta(seconds=5))
@given(st.text())
@example("")
@example("\u200b\u200b")
@example(" " * 100_000)
@example("URGENT ACTION\n" + "a " * 50_000)
@example("Dear " + "Minister, " * 5_000)
@example("PLEASE WRITE TO:\n" + "Fax: +" + "1 " * 10_000)
def test_any_text(text):
    check_parse(text)


@settings(max_examples=100, deadline=datetime.timedelta(seconds=5))
@given(ua_like_text)
@example(SEED.read_text(encoding="utf-8"))
def test_text_shaped_like_an_urgent_action(text):
    check_parse(text)


# The email pattern once backtracked quadratically on a long run of letters (20,000 took 0.9 s,
# 200,000 would take some 90 s): one line of a 20 MB upload could hold a web worker for hours.
# Linear now, 200,000 take milliseconds; the deadline is far from both.
@settings(max_examples=1, deadline=datetime.timedelta(seconds=10))
@given(st.just(200_000))  # the length, not the text: a 20 kB example would be printed in full
def test_one_long_line_is_parsed_in_time(length):
    check_parse("URGENT ACTION\n" + "a" * length)
