"""The staff home is the desk's day, and each role sees of it only what its permissions open."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.appeals.helpers import compose_send
from tests.conftest import staff_login
from uadesk.actions.models import Action, Outcome
from uadesk.appeals.models import Appeal, Reply
from uadesk.delivery.models import Message

pytestmark = pytest.mark.django_db
HOME = reverse("admin:index")


@pytest.fixture
def desk_day(client, open_action):
    """An open action with two letters sent and one held, a draft, a failed email, a reply, an outcome."""
    xi, ma, *_ = open_action.targets.all()
    compose_send(client, open_action, [xi, ma], email="ada@example.org", channel="post")
    compose_send(client, open_action, [xi], email="bob@example.org", channel="post")
    first, second, third = Appeal.objects.order_by("pk")
    Appeal.objects.filter(pk__in=[first.pk, second.pk]).update(status=Appeal.Status.POSTED)
    Appeal.objects.filter(pk=third.pk).update(status=Appeal.Status.HELD)
    Reply.objects.create(appeal=first, text="We have received your letter.")
    # News that does not end the case (a release of everyone would: the action would stop asking).
    Outcome.objects.create(
        action=open_action,
        kind=Outcome.Kind.TRANSFERRED,
        happened_on=timezone.localdate(),
        public_note="Moved.",
    )
    Action.objects.create(title="Draft from an import", slug="draft-import")
    Message.objects.create(kind=Message.Kind.REMINDER, ref=1, status=Message.Status.FAILED)
    return open_action


@pytest.fixture
def as_role(django_user_model):
    def login(role: str | None):
        user = django_user_model.objects.create_user(
            f"{(role or 'root').lower()}-home", password="a long staff password", is_staff=True,
            is_superuser=role is None,
        )  # fmt: skip
        if role:
            user.groups.add(Group.objects.get(name=role))
        return staff_login(Client(), user)

    return login


def home_text(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_an_editor_sees_the_day_open_actions_drafts_held_letters_replies_and_outcomes(as_role, desk_day):
    page = home_text(as_role("Editor"))
    assert "Today at the desk" in page and "Site administration" not in page
    assert desk_day.title in page
    assert (desk_day.deadline).strftime("%-d %b %Y") in page and "10 days left" in page
    assert 'class="n">2<' in page  # two letters sent, the held one not counted
    assert "Draft from an import" in page
    assert "Letters held for review" in page and "?status__exact=held&amp;action__id__exact=" in page
    assert "We have received" not in page and "Recent replies from targets" in page
    assert "Transferred" in page
    assert reverse("ingest") in page and reverse("events:list") in page
    assert "Failed deliveries" not in page and reverse("reports:all") not in page  # not theirs
    for app in ("Axes", "OTP_TOTP", "Tasks database", "Authentication and Authorization"):
        assert app.lower() not in page.lower()


def test_an_analyst_sees_actions_and_their_counts_with_reports_but_no_letter(as_role, desk_day):
    client = as_role("Analyst")
    page = home_text(client)
    assert desk_day.title in page and reverse("reports:action", args=[desk_day.slug]) in page
    assert reverse("reports:all") in page
    for part in ("Letters held for review", "Recent replies", "Recent outcomes", "Failed deliveries"):
        assert part not in page
    assert reverse("ingest") not in page
    report = client.get(reverse("reports:all")).content.decode()
    assert "Django administration" not in report and 'id="site-name"' in report  # the desk's own header


def test_support_and_organisers_see_no_action_nor_letter(as_role, desk_day):
    client = as_role("Support")
    # Even a permission on another package's app does not put its section before anyone but administrators.
    user = client.session["_auth_user_id"]
    from django.contrib.auth.models import Permission, User

    User.objects.get(pk=user).user_permissions.add(Permission.objects.get(codename="view_accessattempt"))
    support = home_text(client)
    assert "Supporters" in support and "access attempts" not in support.lower()
    assert desk_day.title not in support and "Open actions" not in support and "Letters held" not in support
    organiser = home_text(as_role("Organisers"))
    assert desk_day.title not in organiser and reverse("events:list") in organiser


def test_an_administrator_sees_everything_and_the_apps_of_the_machinery(as_role, desk_day):
    page = home_text(as_role(None))
    assert "Failed deliveries" in page and "News of a case" not in page  # a reminder failed, not news
    assert "Reminder before a deadline: 1" in page
    assert "?status__exact=failed" in page
    assert "access attempts" in page.lower()
    assert page.index("Actions") < page.index("Authentication and Authorization")


def test_the_home_asks_the_database_a_few_questions_however_many_actions(
    as_role, desk_day, django_assert_max_num_queries
):
    client = as_role(None)
    for n in range(20):
        Action.objects.create(
            title=f"Case {n}", slug=f"case-{n}", status=Action.Status.PUBLISHED,
            deadline=timezone.localdate() + datetime.timedelta(days=n),
        )  # fmt: skip
    with django_assert_max_num_queries(25):
        home_text(client)
