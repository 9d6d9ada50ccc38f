"""The supporter's letter as HTML: any text stays text, in the renderer and in the compose preview."""

import datetime
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import at
from uadesk.appeals.letters import letter_clean

from .properties import check_letter_html, no_space, read_html
from .strategies import hostile_text


@given(st.one_of(st.text(), hostile_text))
def test_letter_html_keeps_text_as_text(text):
    check_letter_html(text)


OPEN_DAY = datetime.date(2022, 9, 1)
INJECTED = {"script", "img", "svg", "iframe", "object", "embed", "style", "base"}


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=hostile_text.filter(str.strip), name=hostile_text.filter(str.strip), town=hostile_text)
def test_the_compose_preview_escapes_what_the_supporter_typed(client, seed_action, body, name, town):
    xi = seed_action.targets.get(name="Xi Jinping")
    data = {"key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "email",
            "body": body, "name": name, "town": town, "country": "fr", "email": "ada@example.org",
            "step": "preview"}  # fmt: skip
    with at(OPEN_DAY):
        response = client.post(reverse("appeals:compose", kwargs={"slug": seed_action.slug}), data)
    assert response.status_code in (200, 400)  # the preview, or the form again with what was wrong
    reader = read_html(response.content.decode())
    assert not INJECTED & set(reader.tags)
    assert not [name for name, _ in reader.attrs if name.startswith("on")]
    urls = [v for name, v in reader.attrs if name in ("href", "src", "action", "formaction") and v]
    assert not [url for url in urls if url.lstrip().lower().startswith("javascript:")]
    event(f"status {response.status_code}")
    if response.status_code == 200:  # the preview: the letter is there as the text it was typed
        assert no_space(letter_clean(body)) in no_space("".join(reader.text))
