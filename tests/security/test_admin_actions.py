"""Every bulk action of the staff desk, found in the admin's registry, run by every role through the
changelist with "select all": a role without the action's permission is not offered it and changes
nothing; a role with it can run it. A new action that declares no permission fails here."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import ActionLocation
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.conftest import staff_login
from uadesk.staff.roles import ROLES

pytestmark = pytest.mark.django_db

ACTIONS = [
    pytest.param(model, action, id=f"{model._meta.label}.{action.name}@{location.name.lower()}")
    for model, model_admin in admin.site._registry.items()
    for location in ActionLocation
    for action in model_admin._get_base_actions(location)
]


@pytest.fixture
def world(seed_action, django_user_model):
    """A row of every model the desk's admin lists, in the states its actions work on."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from uadesk.actions.models import Action, Campaign, Localisation, Section
    from uadesk.api.models import ApiToken, Webhook, WebhookDelivery
    from uadesk.appeals.models import Appeal, Reply
    from uadesk.delivery.models import Message
    from uadesk.delivery.tasks import deliver_messages
    from uadesk.events.models import Event
    from uadesk.petitions.models import Petition, Signature, SignatureExport
    from uadesk.staff import audit
    from uadesk.supporters.models import Erasure, PrivacyNotice, Supporter

    Action.objects.create(slug="a-draft", title="A draft", summary="Not yet.")
    campaign = Campaign.objects.create(name="Xinjiang", slug="xinjiang")
    section = Section.objects.create(code="fr", name="France", country="FR")
    Localisation.objects.create(action=seed_action, section=section)
    xi = seed_action.targets.get(name="Xi Jinping")
    supporter = Supporter.for_email("ada@example.org")
    appeals = {
        status: Appeal.objects.create(
            action=seed_action,
            target=xi,
            channel="email",
            language="en",
            subject="s",
            body="Free them.",
            supporter_name="Ada",
            supporter=supporter,
            status=status,
        )  # fmt: skip
        for status in ["held", "queued", "failed", "sent"]
    }
    for status in ["held", "queued", "failed", "sent"]:
        message_status = {"queued": "waiting"}.get(status, status)
        Message.objects.create(kind="appeal", ref=appeals[status].pk, status=message_status, attempts=1)
    Reply.objects.create(appeal=appeals["sent"], text="We received your letter.")
    Erasure.objects.create(day=datetime.date(2022, 9, 2), by="staff:someone", count=1)
    petition = Petition.objects.create(campaign=campaign, slug="free", title="Free them", text="Free them.")
    Signature.objects.create(
        petition=petition, supporter=supporter, name="Ada", country="FR", household_place=1
    )
    SignatureExport.objects.create(
        petition=petition, petition_title=petition.title, with_emails=False, rows=1
    )
    organiser = django_user_model.objects.create_user("organiser", is_staff=True)
    event = Event.objects.create(
        name="Write-in",
        organiser=organiser,
        date=datetime.date(2022, 9, 10),
        expected_writers=10,
        languages="en",
    )
    event.actions.add(seed_action)
    token = ApiToken(name="CRM")
    token.new_key()
    token.save()
    audit.log("uadesk.api.read", via="api", actor=str(token), method="GET", path="/api/", records=1)
    webhook = Webhook.objects.create(name="CRM", url="https://crm.example.org/hook")
    WebhookDelivery.objects.create(webhook=webhook, event="appeal.counted", object_id=1, payload={})
    LogEntry.objects.create(
        user=organiser, content_type=ContentType.objects.get_for_model(Event), object_id=str(event.pk),
        object_repr=str(event), action_flag=CHANGE,
    )  # fmt: skip
    deliver_messages.enqueue()  # a task result
    PrivacyNotice.objects.create(language="en", text="We are the desk.")
    from uadesk.actions.models import Theme
    from uadesk.network.models import Member, Suppression
    from uadesk.supporters import crypto

    Theme.objects.create(name="Death penalty", slug="death-penalty")
    Member.objects.create(supporter=supporter, status=Member.Status.ACTIVE)
    Suppression.add(supporter.email_hash, Suppression.Reason.COMPLAINT)
    Suppression.add(crypto.email_hash("bounced@example.org"), Suppression.Reason.HARD_BOUNCE)
    from uadesk.federation import keys
    from uadesk.federation.models import Subscription
    from uadesk.federation.services import access_grant

    access_grant(section=section, desk_key=keys.desk_public_text())
    subscription = Subscription(
        name="International office", feed_url="https://office.example.org/federation/feed", section=section,
        office_key=keys.desk_public_text(),
    )  # fmt: skip
    subscription.set_token("uadf_" + "x" * 40)
    subscription.save()
    users = {}
    for role in ROLES:
        user = django_user_model.objects.create_user(f"{role.lower()}-user", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        users[role] = (user, staff_login(Client(), user))  # a TOTP device each, too
    # After the sign-ins, which clear expired attempts themselves.
    seen = {"user_agent": "test", "ip_address": "192.0.2.1", "username": "x", "http_accept": "*/*"}
    AccessAttempt.objects.create(
        **seen, path_info="/staff/login/", get_data="", post_data="", failures_since_start=1
    )
    # An attempt from long ago, which the clean-up removes.
    old = AccessAttempt.objects.create(
        **seen | {"username": "y"},
        path_info="/staff/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(days=30))
    AccessLog.objects.create(**seen, path_info="/staff/login/")
    AccessFailureLog.objects.create(**seen, path_info="/staff/login/")
    return users


def snapshot() -> dict:
    """Every row of every model the admin lists, but the audit log: an action that wrote only its own
    entry there changed nothing."""
    from uadesk.staff.models import AuditEntry

    def plain(value):
        return bytes(value) if isinstance(value, memoryview) else value

    return {
        model._meta.label: [
            {key: plain(value) for key, value in row.items()}
            for row in model._base_manager.order_by("pk").values()
        ]
        for model in admin.site._registry
        if model is not AuditEntry
    }


def offered(page: str) -> set[str]:
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', page, re.S)
    return set(re.findall(r'<option value="(\w+)"', select.group(1))) if select else set()


def may(model_admin, user, permissions) -> bool:
    """What the action declares, asked of the admin as Django asks it: any of the permissions named."""
    request = RequestFactory().get("/")
    request.user = user
    return any(getattr(model_admin, f"has_{p}_permission")(request) for p in permissions)


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_every_admin_action_is_guarded_for_every_role(world, model, action):
    model_admin, name = admin.site._registry[model], action.name
    permissions = getattr(action.func, "allowed_permissions", ())
    assert permissions, f"{model._meta.label}: the action {name} declares no permission"
    assert "view" not in permissions, f"{model._meta.label}: the action {name} changes data, not views it"
    if ActionLocation.CHANGE_LIST not in action.locations:
        pytest.fail(f"{name} on {model._meta.label}'s change form: extend this test to post it there")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    form = {"action": name, "select_across": "1", "index": "0", "_selected_action": ["0"], "post": "yes"}
    for role, (user, client) in world.items():
        allowed = may(model_admin, user, permissions)
        if allowed:
            # Whoever may run it holds a permission to alter this model (or one of the model's own, such
            # as lifting a suppression), never a view alone.
            label = model._meta
            altering = [f"{what}_{label.model_name}" for what in ("add", "change", "delete")]
            altering += [codename for codename, _ in label.permissions]
            assert any(user.has_perm(f"{label.app_label}.{codename}") for codename in altering), (
                f"{role} may {name} {label.label} with a view permission only"
            )
        with transaction.atomic():
            page = client.get(url)
            before = snapshot()
            response = client.post(url, form)
            after = snapshot()
            transaction.set_rollback(True)
        if not allowed:
            assert name not in offered(page.content.decode()), f"{role} is offered {name}"
            assert response.status_code in (200, 302, 403), f"{role}: {response.status_code}"
            assert before == after, f"{role} changed data with {name}"
        else:
            assert page.status_code == 200 and name in offered(page.content.decode()), (
                f"{role} not offered {name}"
            )
            if before == after:
                # Only a deletion stopped at related records (protected, or not theirs to delete) may
                # change nothing; its confirmation page says so.
                with transaction.atomic():
                    asked = client.post(url, {key: value for key, value in form.items() if key != "post"})
                    transaction.set_rollback(True)
                assert "<h1>Cannot delete" in asked.content.decode(), f"{role} could not run {name}"


def test_closing_actions_in_bulk_leaves_drafts_unpublished(staff_client, seed_action):
    from uadesk.actions.models import Action

    draft = Action.objects.create(slug="a-draft", title="A draft", summary="Not yet.")
    url = reverse("admin:actions_action_changelist")
    form = {
        "action": "close_actions",
        "select_across": "1",
        "index": "0",
        "_selected_action": [seed_action.pk],
    }
    assert staff_client.post(url, form).status_code == 302
    seed_action.refresh_from_db()
    draft.refresh_from_db()
    assert (seed_action.status, draft.status) == ("closed", "draft")  # a closed draft would be public
    assert staff_client.get(reverse("actions:detail", args=[draft.slug])).status_code == 200  # staff preview
    assert Client().get(reverse("actions:detail", args=[draft.slug])).status_code == 404


def test_an_analyst_closes_no_action_with_the_bulk_action(world, seed_action):
    from uadesk.actions.models import Action

    _, analyst = world["Analyst"]
    url = reverse("admin:actions_action_changelist")
    assert "close_actions" not in offered(analyst.get(url).content.decode())
    form = {
        "action": "close_actions",
        "select_across": "1",
        "index": "0",
        "_selected_action": [seed_action.pk],
    }
    analyst.post(url, form)
    assert not Action.objects.filter(status="closed").exists()
