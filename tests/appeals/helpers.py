"""The supporter's steps the appeals tests share: the compose form sent, the link of the email that
asks them to confirm their address, and a page's form sent as a browser sends it."""

import uuid
from html.parser import HTMLParser

from django.urls import reverse

from uadesk.appeals.models import EmailConfirmation
from uadesk.appeals.services import Confirmed, appeals_confirm


def confirm(key) -> Confirmed:
    """Confirms the email given with the form of this key, as the link in that email does."""
    return appeals_confirm(EmailConfirmation.objects.get(submission=key).new_link_token())


def compose_send(client, action, targets, *, email: str, channel: str = "email", name: str = "Someone"):
    """Posts the compose form's last step for these targets; returns the form's key and the answer."""
    data = {
        "key": str(uuid.uuid4()),
        "targets": [t.pk for t in targets],
        "language": "en",
        "channel": channel,
        "body": "Please release everyone detained.\n\nYours sincerely,",
        "name": name,
        "town": "Lyon",
        "country": "fr",
        "email": email,
        "step": "send",
    }
    return data["key"], client.post(reverse("appeals:compose", kwargs={"slug": action.slug}), data)


class _Forms(HTMLParser):
    """Each form of a page: its action, and what a browser submits from it as the page stands."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._textarea = self._select = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        if not self.forms or not a.get("name") and tag != "option":
            return
        fields = self.forms[-1][1]
        kind = a.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "file", "image", "reset"):
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea":
            self._textarea = len(fields)
            fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [self._options[0][0]]
            self.forms[-1][1].append((self._select, chosen[0]))
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            fields = self.forms[-1][1]
            name, text = fields[self._textarea]
            # A browser drops the one newline that follows <textarea>.
            fields[self._textarea] = (name, (text + data) if text else data.removeprefix("\n"))


def form_submitted(html: str, action: str, button: tuple[str, str]) -> dict[str, list[str]]:
    """What a browser posts from the page's form to `action` when the person presses `button` (its
    name and value), changing nothing they were shown."""
    parser = _Forms()
    parser.feed(html)
    [fields] = [fields for target, fields in parser.forms if target == action]
    posted: dict[str, list[str]] = {}
    for name, value in [*fields, button]:
        posted.setdefault(name, []).append(value.replace("\r\n", "\n"))
    return posted
