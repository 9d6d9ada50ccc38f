"""What the report tests share: a section's access to the office desk, its signed reports, and the
section's desk subscribed to the office (one database plays both desks)."""

import datetime
import json

from django.utils import timezone

from uadesk.actions.models import Action, Localisation, Section, Target
from uadesk.appeals.models import Appeal
from uadesk.federation import keys, signing
from uadesk.federation.models import FeedEntry, SectionAccess, SectionReport, Subscription
from uadesk.staff.models import AuditEntry

PATH = "/federation/reports"


def section_make() -> Section:
    return Section.objects.get_or_create(code="de", defaults={"name": "Deutsche Sektion", "country": "DE"})[0]


def access_make(section: Section) -> tuple[SectionAccess, str]:
    """The section's access and its token; on one database the section desk's key is this desk's own."""
    access = SectionAccess(section=section, desk_key=keys.desk_public_text())
    token = access.new_token()
    access.save()
    return access, token


def office_target(action: Action) -> Target:
    return action.targets.filter(localisation=None).order_by("position", "pk").first()


def report_payload(action: Action, **changes) -> dict:
    """A section's report on the office's action as docs/federation.md shows one."""
    payload = {
        "action_id": action.pk,
        "counted_at": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(),
        "final": False,
        "members_mailed": 1200,
        "signatures": 340,
        "counts": [
            {"channel": "email", "on_desk": True, "target_id": office_target(action).pk, "official": "",
             "count": 80},
            {"channel": "post", "on_desk": False, "target_id": None, "official": "", "count": 12},
            {"channel": "email", "on_desk": True, "target_id": None, "official": "Embassy of X in Y",
             "count": 9},
        ],
    }  # fmt: skip
    return payload | changes


def signed_headers(body: bytes, token: str, *, key=None, target: str = PATH, **signature) -> dict:
    """The headers of a report: the token, and a signature by `key` (this desk's by default)."""
    return {
        "Authorization": f"Bearer {token}",
        signing.HEADER: signing.sign(
            key or keys.desk_key(), method="POST", target=target, body=body, **signature
        ),
    }


def post(client, body: bytes, headers: dict, content_type: str = "application/json"):
    return client.post(PATH, data=body, content_type=content_type, headers=headers)


def send(client, token: str, payload: dict):
    body = json.dumps(payload).encode()
    return post(client, body, signed_headers(body, token))


def kept() -> tuple[list, int]:
    """Every report the office keeps, with its lines, and the audit log's length: what a refused report
    must leave as it was."""
    reports = [
        (
            report.section_id, report.action_id, report.counted_at, report.received_at, report.final,
            report.members_mailed, report.signatures,
            lines_of(report),
        )
        for report in SectionReport.objects.order_by("pk")
    ]  # fmt: skip
    return reports, AuditEntry.objects.count()


def lines_of(report: SectionReport) -> list[tuple]:
    return sorted((c.channel, c.on_desk, c.target_id or 0, c.official, c.count) for c in report.counts.all())


def section_desk(
    office_action: Action, token: str, feed_url: str, *, slug: str = "free-them-de"
) -> FeedEntry:
    """The section desk's copy of the office's action, published with the office's official and the
    section's own (its embassy), subscribed with `token` to the feed at `feed_url`."""
    section = section_make()
    local = Action.objects.create(
        slug=slug, title="Lasst sie frei", summary="Sie sind in Haft.", status=Action.Status.PUBLISHED,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )  # fmt: skip
    given = Target.objects.create(action=local, name="President of X", position=0)
    localisation = Localisation.objects.create(action=local, section=section)
    Target.objects.create(action=local, name="Embassy of X in Berlin", localisation=localisation, position=1)
    subscription = Subscription(
        name="International Secretariat",
        feed_url=feed_url,
        section=section,
        office_key=keys.desk_public_text(),
    )
    subscription.set_token(token)
    subscription.save()
    return FeedEntry.objects.create(
        subscription=subscription, remote_id=office_action.pk, action=local, document={},
        remote_updated_at=timezone.now(), target_ids={str(given.pk): office_target(office_action).pk},
    )  # fmt: skip


def appeal_make(action: Action, target: Target, *, channel: str = "email", status: str = "sent") -> Appeal:
    return Appeal.objects.create(
        action=action, target=target, channel=channel, subject="Free them", body="Dear President",
        supporter_name="Ana Lima", supporter_town="Köln", supporter_country="DE", status=status,
    )  # fmt: skip
