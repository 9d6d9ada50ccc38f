"""The allocation read from the database: who may receive a case today, what they had, and the plan for a
mailing of a new case."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext, override

from uadesk.actions.models import Action, Target, Theme
from uadesk.network.allocate import members_today, plan_for
from uadesk.network.models import Mailing, Member, Recipient, Suppression
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)


def days_ago(n: int) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def action(slug: str, country: str, languages: str, *, deadline_in: int, **fields) -> Action:
    deadline = TODAY + datetime.timedelta(days=deadline_in)
    made = Action.objects.create(
        slug=slug, title=slug.title(), summary="Detained.", deadline=deadline, status=Action.Status.PUBLISHED,
        preferred_languages=languages, **fields,
    )  # fmt: skip
    Target.objects.create(action=made, name="Minister", country=country)
    return made


def member(name: str, *, limit: int | None = 1, status=Member.Status.ACTIVE, **choices) -> Member:
    supporter = Supporter.for_email(f"{name}@example.org")
    return Member.objects.create(supporter=supporter, status=status, most_per_30_days=limit, **choices)


def received(who: Member, case: Action, when: datetime.datetime, status=Recipient.Status.SENT) -> Recipient:
    mailing, _ = Mailing.objects.get_or_create(action=case, kind=Mailing.Kind.NEW)
    return Recipient.objects.create(
        mailing=mailing, member=who, language="en", channel="email", status=status, created_at=when
    )


@pytest.fixture
def network(settings):
    """Two open cases (China, due in 10 days, wanting 4; Mexico, due in 20, wanting the desk's default of
    1), one closed, and members of every kind."""
    settings.NETWORK_WRITERS_WANTED = 1
    torture = Theme.objects.create(name="Torture", slug="torture")
    china = action("china", "cn", "zh, en", deadline_in=10, writers_wanted=4)
    china.themes.add(torture)
    mexico = action("mexico", "MX", "es", deadline_in=20)
    closed = action("closed", "TR", "tr", deadline_in=-3)
    people = {
        "reader": member("reader", languages="zh-hans, fr"),
        "full": member("full"),  # had a case 5 days ago: no room
        "every": member("every", limit=None, countries="mx"),
        "paused": member("paused", languages="zh", paused_until=TODAY),
        "left": member("left", languages="zh", status=Member.Status.LEFT),
        "suppressed": member("suppressed", languages="zh"),
        "had": member("had", limit=2, languages="zh", countries="CN"),
        "waited": member("waited", languages="fr"),  # last case 40 days ago
        "recent": member("recent", limit=2, languages="fr"),  # one case 10 days ago: room for one more
    }
    people["had"].themes.add(torture)
    Suppression.add(people["suppressed"].supporter.email_hash, Suppression.Reason.UNSUBSCRIBED)
    received(people["full"], closed, days_ago(5))
    received(people["had"], china, days_ago(2))
    received(people["waited"], closed, days_ago(40))
    received(people["recent"], closed, days_ago(10))
    # Left out of a mailing, it was never received.
    received(people["reader"], mexico, days_ago(1), status=Recipient.Status.SKIPPED)
    return {"china": china, "mexico": mexico, "closed": closed, **people}


def test_members_today_are_those_who_may_receive_a_case_with_their_choices_and_their_cases(network):
    seen = {m.id: m for m in members_today(TODAY)}

    names = {n.pk: name for name, n in network.items() if isinstance(n, Member)}
    assert sorted(names[i] for i in seen) == ["every", "full", "had", "reader", "recent", "waited"]
    reader = seen[network["reader"].pk]
    assert (reader.limit, reader.languages, reader.received, reader.last) == (1, ("zh", "fr"), (), None)
    every = seen[network["every"].pk]
    assert (every.limit, every.countries) == (None, frozenset({"MX"}))
    had = seen[network["had"].pk]
    assert (had.received, had.themes) == ([TODAY - datetime.timedelta(days=2)], frozenset({"torture"}))
    assert seen[network["waited"].pk].last == TODAY - datetime.timedelta(days=40)


def test_the_plan_for_a_mailing_gives_its_case_to_those_who_match_it_first_then_who_waited_longest(network):
    mailing = Mailing.objects.create(action=network["china"])

    plan = plan_for(mailing, today=TODAY)

    # China wants 4 and one member had it: the one who reads Chinese, then the two with room who chose
    # nothing, who waited longest first. Not the one with no room, nor the paused, the gone or the one
    # whose address is not to be mailed, nor the one who had it.
    assert plan.for_case(network["china"].pk) == [
        (network["reader"].pk, "reads zh"),
        (network["waited"].pk, "fills"),
        (network["recent"].pk, "fills"),
    ]
    china = plan.coverage_of(network["china"].pk)
    assert (china.case.received, china.case.countries, china.case.themes) == (1, {"CN"}, {"torture"})
    assert (china.reached, china.short) == (4, 0)
    # Mexico: the desk's default of one writer, the member who takes every UA from Mexico.
    assert plan.for_case(network["mexico"].pk) == [(network["every"].pk, "every UA")]
    assert plan.coverage_of(network["mexico"].pk).case.received == 0  # the mailing that left a member out
    assert plan.coverage_of(network["closed"].pk) is None


def test_a_case_short_of_writers_is_explained_in_the_staff_members_language(network):
    Action.objects.filter(pk=network["china"].pk).update(writers_wanted=10)

    plan = plan_for(Mailing.objects.create(action=network["china"]), today=TODAY)

    china = plan.coverage_of(network["china"].pk)
    assert (china.short, china.expected_shortfall) == (6, 6)
    with override("en"):
        line = plan.explain(gettext)[0]
    assert line.startswith("China (deadline 2027-03-11): 10 writers wanted; 1 have it, 0 who take every UA")
    assert "It will fall short by 6: only 5 members' choices allow this case" in line


def test_the_mailing_of_a_closed_action_gets_nobody(network):
    plan = plan_for(Mailing.objects.create(action=network["closed"]), today=TODAY)

    assert plan.for_case(network["closed"].pk) == []


def test_reading_the_members_takes_as_many_queries_for_many_members_as_for_few(network):
    mailing = Mailing.objects.create(action=network["china"])
    with CaptureQueriesContext(connection) as few:
        plan_for(mailing, today=TODAY)
    for n in range(40):
        member(f"more{n}", languages="es", countries="MX")

    with CaptureQueriesContext(connection) as many:
        plan = plan_for(mailing, today=TODAY)

    assert len(many) == len(few)
    assert len(plan.for_case(network["mexico"].pk)) == 1
