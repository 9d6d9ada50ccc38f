"""A section desk reporting to its office desk over HTTP: what it counts, when a report is due, and an
office that is down or refuses leaving the report due for the next run. The live server plays the
office desk on the same database."""

import datetime
import logging

import pytest
from django.utils import timezone

from tests.conftest import free_port
from tests.network.member_fixtures import member_make
from uadesk.actions.models import Action, Section, Target
from uadesk.federation import reporting
from uadesk.federation.models import FeedEntry, SectionReport
from uadesk.federation.reporting import entry_counts, report_send, reports_due
from uadesk.federation.tasks import federation_report
from uadesk.network.models import ActedReport, Mailing, Recipient
from uadesk.petitions.models import Petition, Signature

from .report_fixtures import access_make, appeal_make, lines_of, office_target, section_desk, section_make

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def access(db):
    return access_make(section_make())


@pytest.fixture
def entry(live_server, open_action, access):
    """The seed UA is the office's action; the section desk's copy of it is subscribed to the live server."""
    _, token = access
    return section_desk(open_action, token, live_server.url + "/federation/feed")


def given_target(entry: FeedEntry) -> Target:
    """The section's copy of the official the office gave."""
    return Target.objects.get(pk=int(next(iter(entry.target_ids))))


def embassy(entry: FeedEntry) -> Target:
    return entry.action.targets.get(localisation__isnull=False)


def office_report() -> SectionReport:
    return SectionReport.objects.get()


def test_the_counts_name_the_offices_officials_by_its_ids_and_the_sections_own_by_name(entry, open_action):
    local = entry.action
    appeal_make(local, given_target(entry))
    appeal_make(local, given_target(entry))
    appeal_make(local, given_target(entry), status="queued")  # not gone yet: not counted
    appeal_make(local, embassy(entry), channel="post", status="posted")
    # The section's own official put on the action itself, not given by the office: named too.
    own = Target.objects.create(action=local, name="Governor of Z")
    appeal_make(local, own, channel="mailto", status="sent_by_supporter")
    ActedReport.objects.bulk_create(
        [ActedReport(action=local, channel="post"), ActedReport(action=local, channel="post"),
         ActedReport(action=local, channel="email")]
    )  # fmt: skip
    petition = Petition.objects.create(action=local, slug="frei", title="Frei", text="Wir bitten.")
    for place, confirmed in enumerate([timezone.now(), timezone.now(), None], start=1):
        Signature.objects.create(
            petition=petition,
            name=f"Signer {place}",
            country="DE",
            household_place=place,
            confirmed_at=confirmed,
        )
    new = Mailing.objects.create(action=local, kind=Mailing.Kind.NEW, status=Mailing.Status.SENT)
    update = Mailing.objects.create(action=local, kind=Mailing.Kind.UPDATE, status=Mailing.Status.SENT)
    # On a desk hosting several sections: this section's own mailing counts, another section's not.
    ours = Mailing.objects.create(
        action=local, kind=Mailing.Kind.NEW, section=entry.subscription.section, status=Mailing.Status.SENT
    )
    other = Section.objects.create(code="at", name="Austria", country="AT")
    theirs = Mailing.objects.create(
        action=local, kind=Mailing.Kind.NEW, section=other, status=Mailing.Status.SENT
    )
    anna, ben, cleo, dora, emil = (
        member_make(f"{name}@example.org") for name in ("anna", "ben", "cleo", "dora", "emil")
    )
    for mailing, member, status in [
        (new, anna, "sent"), (update, anna, "sent"), (new, ben, "sent"), (new, cleo, "planned"),
        (new, None, "sent"),  # a member erased since
        (ours, dora, "sent"), (theirs, emil, "sent"),
    ]:  # fmt: skip
        Recipient.objects.create(
            mailing=mailing, member=member, language="de", channel="email", status=status
        )

    payload = entry_counts(entry)
    assert payload.pop("counted_at")
    assert payload == {
        "action_id": open_action.pk,
        "final": False,
        # Anna got the case and its update: one member mailed. Dora by this section; Emil by another.
        "members_mailed": 4,
        "signatures": 2,
        "counts": [
            {"channel": "email", "on_desk": True, "target_id": office_target(open_action).pk, "official": "",
             "count": 2},
            {"channel": "email", "on_desk": False, "target_id": None, "official": "", "count": 1},
            {"channel": "mailto", "on_desk": True, "target_id": None, "official": "Governor of Z",
             "count": 1},
            {"channel": "post", "on_desk": True, "target_id": None, "official": "Embassy of X in Berlin",
             "count": 1},
            {"channel": "post", "on_desk": False, "target_id": None, "official": "", "count": 2},
        ],
    }  # fmt: skip


def test_a_report_sent_reaches_the_office_and_is_kept_there(entry, open_action, access):
    appeal_make(entry.action, given_target(entry))
    appeal_make(entry.action, embassy(entry), channel="post", status="posted")
    assert report_send(entry) is True
    report = office_report()
    assert (report.section, report.action, report.final) == (access[0].section, open_action, False)
    assert lines_of(report) == [
        ("email", True, office_target(open_action).pk, "", 1),
        ("post", True, 0, "Embassy of X in Berlin", 1),
    ]
    entry.refresh_from_db()
    assert entry.reported_at is not None and entry.final_reported_at is None
    assert entry.reported_digest == reporting.report_digest(entry_counts(entry))


def test_a_report_sent_twice_counts_once_and_a_changed_count_replaces_it(entry):
    appeal_make(entry.action, given_target(entry))
    assert report_send(entry) and report_send(entry)
    assert office_report().appeals == 1
    appeal_make(entry.action, given_target(entry))
    assert report_send(entry)
    assert (office_report().appeals, office_report().counts.count()) == (2, 1)


def test_an_office_holding_a_later_report_answers_stale_and_that_counts_as_done(entry):
    assert report_send(entry)
    later = timezone.now() + datetime.timedelta(minutes=2)
    SectionReport.objects.update(counted_at=later, members_mailed=77)
    appeal_make(entry.action, given_target(entry))
    assert report_send(entry) is True
    assert (office_report().counted_at, office_report().members_mailed, office_report().appeals) == (
        later,
        77,
        0,
    )
    assert entry not in reports_due()


def test_a_failing_office_leaves_the_report_due_and_says_so_in_one_line(entry, caplog):
    subscription = entry.subscription
    subscription.feed_url = f"http://127.0.0.1:{free_port()}/federation/feed"  # nothing listens there
    subscription.save()
    entry = FeedEntry.objects.select_related("subscription", "action").get(pk=entry.pk)
    with caplog.at_level(logging.WARNING, logger="uadesk.federation.reporting"):
        assert report_send(entry) is False
    [record] = caplog.records
    assert "goes again on the next run" in record.getMessage()
    assert subscription.token not in record.getMessage()
    entry.refresh_from_db()
    assert (entry.reported_at, entry.reported_digest) == (None, "")
    assert entry in reports_due()
    assert not SectionReport.objects.exists()


def test_a_report_the_office_refuses_stays_due(entry, access):
    access[0].revoke()
    assert report_send(entry) is False
    entry.refresh_from_db()
    assert entry.reported_at is None and entry in reports_due()
    assert not SectionReport.objects.exists()


def test_a_report_is_due_when_its_counts_changed_and_once_a_day_while_the_action_is_open(entry):
    assert reports_due() == [entry]  # never reported
    assert report_send(entry)
    now = timezone.now()
    assert reports_due(now) == []
    assert reports_due(now + datetime.timedelta(hours=23)) == []
    assert reports_due(now + datetime.timedelta(days=1, minutes=1)) == [entry]
    appeal_make(entry.action, given_target(entry))
    assert reports_due(now) == [entry]
    assert report_send(entry)
    assert reports_due(now) == []


def test_a_closed_action_is_reported_final_once(entry):
    assert report_send(entry)
    entry.action.close()
    entry = FeedEntry.objects.select_related("subscription", "action").get(pk=entry.pk)
    assert reports_due() == [entry]
    assert report_send(entry)
    assert office_report().final is True
    entry.refresh_from_db()
    final_at = entry.final_reported_at
    assert final_at is not None
    # Closed: no daily report any more, but a late count still goes, as final again.
    assert reports_due(timezone.now() + datetime.timedelta(days=3)) == []
    ActedReport.objects.create(action=entry.action, channel="post")
    assert reports_due() == [entry]
    assert report_send(entry)
    entry.refresh_from_db()
    assert entry.final_reported_at == final_at and office_report().appeals == 1
    assert reports_due() == []
    # The final report's own rule, apart from the digest (which also changes when `final` does): a closed
    # action whose final report is not recorded goes again even with the same counts.
    FeedEntry.objects.filter(pk=entry.pk).update(final_reported_at=None)
    assert reports_due() == [entry]


def test_a_draft_of_the_section_is_reported_only_once_something_was_counted(entry):
    Action.objects.filter(pk=entry.action.pk).update(status=Action.Status.DRAFT, published_at=None)
    entry = FeedEntry.objects.select_related("subscription", "action").get(pk=entry.pk)
    assert reports_due() == []
    # Letters handwritten at an event count before the section publishes the action online.
    appeal_make(entry.action, given_target(entry), channel="post", status="posted")
    assert reports_due() == [entry]
    assert report_send(entry)
    assert office_report().final is False
    assert reports_due(timezone.now() + datetime.timedelta(days=2)) == []


def test_the_task_sends_every_due_report_and_one_failing_office_stops_none(live_server, open_action, access):
    _, token = access
    down = section_desk(open_action, token, f"http://127.0.0.1:{free_port()}/federation/feed", slug="down")
    up = section_desk(open_action, token, live_server.url + "/federation/feed", slug="up")
    appeal_make(up.action, given_target(up))
    assert [e.pk for e in reports_due()] == [down.pk, up.pk]
    assert federation_report.call() == 1
    assert office_report().appeals == 1
    assert [e.pk for e in reports_due()] == [down.pk]
