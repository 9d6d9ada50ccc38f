"""Pages with a supporter's name, town or letter are never kept by a browser cache or a proxy."""

import uuid

import pytest
from django.urls import reverse

from uadesk.appeals.models import Appeal, EmailConfirmation

pytestmark = pytest.mark.django_db


def form(action, **changes):
    xi = action.targets.get(name="Xi Jinping")
    return {
        "key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "post",
        "body": "Please release them.", "name": "Ada Lovelace", "town": "Lyon", "country": "fr",
        "email": "ada@example.org", "step": "send",
    } | changes  # fmt: skip


def test_every_page_of_a_letter_says_no_store(client, open_action):
    compose = reverse("appeals:compose", kwargs={"slug": open_action.slug})
    xi = open_action.targets.get(name="Xi Jinping")
    data = form(open_action)
    answers = {
        "compose": client.get(compose),
        "preview": client.post(compose, data | {"step": "preview"}),
        "compose with an error": client.post(compose, data | {"name": ""}),
        "send": client.post(compose, data),
    }
    kwargs = {"slug": open_action.slug, "key": data["key"]}
    answers["sent"] = client.get(reverse("appeals:sent", kwargs=kwargs))
    answers["letter PDF"] = client.get(reverse("appeals:letter_pdf", kwargs=kwargs | {"target_id": xi.pk}))
    answers["sent it"] = client.post(reverse("appeals:confirm", kwargs=kwargs))
    answers["reply"] = client.get(reverse("appeals:reply", kwargs=kwargs | {"target_id": xi.pk}))
    token = EmailConfirmation.objects.get().new_link_token()
    url = reverse("appeals:confirm_email", kwargs={"token": token})
    answers["confirm your email"] = client.get(url)
    answers["email confirmed"] = client.post(url)
    assert Appeal.objects.get().status == "posted"
    assert {name: r.status_code for name, r in answers.items()} == {
        "compose": 200, "preview": 200, "compose with an error": 400, "send": 302, "sent": 200,
        "letter PDF": 200, "sent it": 302, "reply": 200, "confirm your email": 200, "email confirmed": 200,
    }  # fmt: skip
    missing = [name for name, r in answers.items() if "no-store" not in r.get("Cache-Control", "")]
    assert missing == []
