"""What the feedback tests share: two sections' reports on the seed UA and this desk's own counts, with
every figure they must add up to worked out by hand."""

import datetime
import json
import uuid
from html.parser import HTMLParser

from django.utils import timezone

from uadesk.actions.models import Action, Section, Target
from uadesk.appeals.models import Appeal
from uadesk.federation import keys, signing
from uadesk.federation.models import SectionAccess, SectionCount, SectionReport
from uadesk.network.models import ActedReport, Mailing, Member, Recipient
from uadesk.petitions.models import Petition, Signature
from uadesk.supporters.models import Supporter

DE_COUNTED = datetime.datetime(2022, 9, 10, 8, 0, tzinfo=datetime.UTC)
FR_COUNTED = datetime.datetime(2022, 9, 11, 9, 30, tzinfo=datetime.UTC)
EMBASSY_DE = "Botschaft der Volksrepublik China"
EMBASSY_FR = "中华人民共和国驻法国大使馆"  # a section may name its official in any script
WRITER = "Ada Lovelace"  # this desk's supporter: her name must never reach a report
MEMBER_EMAIL = "mitglied@example.org"


def targets(action: Action) -> tuple[Target, Target]:
    first, second = action.targets.filter(localisation=None).order_by("position", "pk")[:2]
    return first, second


def section_report(action: Action, section: Section, counted_at, *, lines, **fields) -> SectionReport:
    report = SectionReport.objects.create(section=section, action=action, counted_at=counted_at, **fields)
    SectionCount.objects.bulk_create(
        SectionCount(report=report, channel=channel, on_desk=on_desk, target=target, official=official,
                     count=count)
        for channel, on_desk, target, official, count in lines
    )  # fmt: skip
    return report


def sections_report(action: Action) -> tuple[SectionReport, SectionReport]:
    """Deutsche Sektion (DE) and Section française (FR), each as it last reported."""
    first, second = targets(action)
    de = Section.objects.create(code="de", name="Deutsche Sektion", country="DE")
    fr = Section.objects.create(code="fr", name="Section française", country="FR")
    return (
        section_report(
            action, de, DE_COUNTED, final=False, members_mailed=1200, signatures=340,
            lines=[("email", True, first, "", 80), ("email", True, None, EMBASSY_DE, 9),
                   ("post", False, None, "", 12), ("fax", True, second, "", 5)],
        ),
        section_report(
            action, fr, FR_COUNTED, final=True, members_mailed=500, signatures=40,
            lines=[("mailto", True, first, "", 7), ("post", True, first, "", 3),
                   ("email", False, None, "", 4), ("fax", False, None, "", 2),
                   ("email", True, None, EMBASSY_FR, 6)],
        ),
    )  # fmt: skip


def appeal(action: Action, target: Target, channel: str, status: str) -> Appeal:
    return Appeal.objects.create(
        submission=uuid.uuid4(), action=action, target=target, channel=channel, status=status,
        subject="s", body="b", supporter_name=WRITER, supporter_country="PT",
    )  # fmt: skip


def own_counts(action: Action) -> None:
    """This desk's own: 5 counted appeals (email 3, mailto 1, post 1), 3 "I have acted" (post 2, email 1),
    2 confirmed signatures, 3 members mailed."""
    first, second = targets(action)
    for _ in range(3):
        appeal(action, first, "email", "sent")
    appeal(action, second, "mailto", "sent_by_supporter")
    appeal(action, first, "post", "posted")
    appeal(action, second, "email", "queued")  # not gone yet: not counted
    appeal(action, second, "email", "failed")
    ActedReport.objects.bulk_create(
        [ActedReport(action=action, channel="post"), ActedReport(action=action, channel="post"),
         ActedReport(action=action, channel="email")]
    )  # fmt: skip
    petition = Petition.objects.create(action=action, slug="free-them", title="Free them", text="Free them.")
    for place, confirmed in enumerate([True, True, False], start=1):
        Signature.objects.create(
            petition=petition, name=f"Signer {place}", name_key=f"signer {place}", country="FR",
            household_place=place, confirmed_at=DE_COUNTED if confirmed else None,
        )  # fmt: skip
    new = Mailing.objects.create(action=action, kind=Mailing.Kind.NEW, status=Mailing.Status.SENT)
    update = Mailing.objects.create(action=action, kind=Mailing.Kind.UPDATE, status=Mailing.Status.SENT)
    anna = Member.objects.create(supporter=Supporter.for_email(MEMBER_EMAIL), status="active")
    ben = Member.objects.create(supporter=Supporter.for_email("ben@example.org"), status="active")
    cleo = Member.objects.create(supporter=Supporter.for_email("cleo@example.org"), status="active")
    for mailing, member, status in [
        (new, anna, "sent"), (update, anna, "sent"),  # the case and its update: one member mailed
        (new, ben, "sent"), (new, None, "sent"),  # a member erased since counts still
        (new, cleo, "bounced"), (update, ben, "planned"),
    ]:  # fmt: skip
        Recipient.objects.create(
            mailing=mailing, member=member, language="en", channel="email", status=status
        )


# The figures, worked out by hand from the lines above.
DE = {"on_desk": {"email": 89, "fax": 5}, "off_desk": {"post": 12}, "signatures": 340, "members_mailed": 1200}
FR = {"on_desk": {"mailto": 7, "post": 3, "email": 6}, "off_desk": {"email": 4, "fax": 2}, "signatures": 40,
      "members_mailed": 500}  # fmt: skip
OWN = {"on_desk": {"email": 3, "mailto": 1, "post": 1}, "off_desk": {"post": 2, "email": 1}, "signatures": 2,
       "members_mailed": 3}  # fmt: skip
TOTAL = {"on_desk": {"email": 98, "mailto": 8, "fax": 5, "post": 4},
         "off_desk": {"email": 5, "fax": 2, "post": 14},
         "signatures": 382, "members_mailed": 1703}  # fmt: skip


def report_send(client, section: Section, action: Action, *, counts: list[dict], **fields):
    """The section's desk sending a report as docs/federation.md has it, signed, through the office's
    endpoint: on one database the section desk's key is this desk's own."""
    access = SectionAccess(section=section, desk_key=keys.desk_public_text())
    token = access.new_token()
    access.save()
    payload = {
        "action_id": action.pk,
        "counted_at": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(),
        "final": False, "members_mailed": 0, "signatures": 0, "counts": counts, **fields,
    }  # fmt: skip
    body = json.dumps(payload).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        signing.HEADER: signing.sign(keys.desk_key(), method="POST", target="/federation/reports", body=body),
    }
    return client.post("/federation/reports", data=body, content_type="application/json", headers=headers)


class Tables(HTMLParser):
    """The text of every cell of each table of a page that has an id, row by row."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id"):
            self._rows = self.tables.setdefault(dict(attrs)["id"], [])
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
