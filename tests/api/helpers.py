"""Small helpers of the API tests: counted appeals without the worker, and JSON requests."""

import json

from uadesk.appeals.models import Appeal
from uadesk.supporters.models import Supporter


def counted_appeal(
    action, *, name="Ana Lima", email="ana@example.org", channel="post", status="posted"
) -> Appeal:
    """An appeal that already counts (posted by the supporter), with a supporter who gave their email."""
    target = action.targets.first()
    supporter = Supporter.for_email(email) if email else None
    return Appeal.objects.create(
        action=action, target=target, channel=channel, subject="s", body="Dear …", supporter_name=name,
        supporter_town="Porto", supporter_country="PT", supporter=supporter, status=status,
    )  # fmt: skip


def send(client, method: str, path: str, data=None, *, auth=None, content_type="application/json", **headers):
    body = json.dumps(data) if content_type == "application/json" and data is not None else data
    if auth:
        headers["HTTP_AUTHORIZATION"] = auth
    return getattr(client, method.lower())(path, body or "", content_type=content_type, **headers)
