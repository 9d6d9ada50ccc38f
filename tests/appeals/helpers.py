"""The supporter's steps the appeals tests share: the compose form sent, and the link of the email that
asks them to confirm their address."""

import uuid

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
