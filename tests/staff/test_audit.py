"""The one audit log: each door into the desk writes its entry (code, via, who), never a supporter's
name or address; administrators read it, filtered; nobody alters it."""

import datetime
import io
import json

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.helpers import counted_appeal, send
from tests.conftest import staff_login
from uadesk.actions.models import Section
from uadesk.api.models import ApiToken
from uadesk.appeals.models import Appeal, Reply
from uadesk.petitions.models import Signature
from uadesk.staff import audit
from uadesk.staff.audited import AuditedAdmin, change_detail
from uadesk.staff.models import AuditEntry
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db

EMAIL, NAME = "Ana.Silva@example.org", "Ana Silva"
AUDIT_LOG = reverse("admin:staff_auditentry_changelist")


@pytest.fixture
def ana(petition):
    """A supporter with a confirmed signature under her name: data the export prints."""
    supporter = Supporter.for_email(EMAIL, language="pt")
    Signature.objects.create(
        petition=petition, supporter=supporter, name=NAME, country="PT", household_place=1,
        confirmed_at=timezone.now(),
    )  # fmt: skip
    return supporter


@pytest.fixture
def as_role(django_user_model):
    def login(role: str):
        user = django_user_model.objects.create_user(f"{role.lower()}-user", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return staff_login(Client(), user)

    return login


def bearer(*scopes: str, name: str = "CRM sync") -> str:
    token = ApiToken(name=name, scope_write="write" in scopes, scope_personal_data="personal_data" in scopes)
    key = token.new_key()
    token.save()
    return f"Bearer {key}"


def only_entry(code: str) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(code=code)
    return entry


def assert_no_personal_data(*words: str):
    """Not in any entry, in any spelling: the whole row as the database holds it, detail included."""
    text = serializers.serialize("json", AuditEntry.objects.all()).casefold()
    assert AuditEntry.objects.exists()
    for word in words:
        assert word.casefold() not in text, word
        assert word.casefold().split("@")[0] not in text, word


# The helper


@pytest.mark.parametrize(
    "code",
    ["appeal.requeued", "uadesk.appeal", "uadesk.Appeal.requeued", "uadesk.appeal.re queued",
     "uadesk..appeal.requeued", "uadesk.appeal.requeued.", "uadesk.appeal.requeued\n",
     "other.appeal.requeued"],
)  # fmt: skip
def test_a_code_outside_the_namespace_is_refused(code):
    with pytest.raises(ValueError, match="uadesk.<noun>.<verb>"):
        audit.log(code, via="system")
    assert not AuditEntry.objects.exists()


def test_the_database_refuses_another_namespace_and_an_unknown_door():
    for fields in [{"code": "Uadesk.appeal.requeued"}, {"code": "django.admin.changed"}, {"via": "email"}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEntry.objects.create(
                **{"code": "uadesk.appeal.requeued", "actor": "x", "via": "desk"} | fields
            )


def test_who_did_it_is_named_and_outlives_the_account(django_user_model):
    user = django_user_model.objects.create_user("ines", is_staff=True)
    entry = audit.log("uadesk.appeal.requeued", user=user, obj=Appeal, count=2)
    assert (entry.actor, entry.via, entry.object_type, entry.object_id) == (
        "ines",
        "desk",
        "appeals.appeal",
        "",
    )
    assert audit.log("uadesk.supporter.erased", via="command").actor == "command line"
    assert audit.log("uadesk.supporter.erased", via="system").actor == "system"
    with pytest.raises(ValueError, match="who did it"):
        audit.log("uadesk.api.read", via="api")
    user.delete()
    entry.refresh_from_db()
    assert (entry.user, entry.actor, entry.detail) == (None, "ines", {"count": 2})


def test_a_change_message_becomes_field_names_and_counts_without_the_rows_text():
    message = [
        {"changed": {"fields": ["Title", "Deadline"]}},
        {"added": {"name": "target", "object": "Xi Jinping"}},
        {"added": {"name": "target", "object": "Ma Xingrui"}},
        {"changed": {"name": "reply", "object": "Ana Silva wrote back", "fields": ["Text"]}},
    ]
    assert change_detail(message) == {
        "fields": ["Title", "Deadline"],
        "related": {"target": {"added": 2}, "reply": {"changed": 1, "fields": ["Text"]}},
    }
    assert change_detail([{"added": {}}]) == {}
    assert change_detail("Closed") == {"note": "Closed"}


# The staff desk


def test_every_model_admin_of_the_desk_is_audited():
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model._meta.label


def test_adding_changing_and_deleting_in_the_admin_is_logged(staff_client):
    add = reverse("admin:actions_section_add")
    assert staff_client.post(add, {"code": "fr", "name": "France", "country": "FR"}).status_code == 302
    section = Section.objects.get()
    change = reverse("admin:actions_section_change", args=[section.pk])
    assert staff_client.post(change, {"code": "fr", "name": "AI France", "country": "FR"}).status_code == 302
    delete = reverse("admin:actions_section_delete", args=[section.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    rows = AuditEntry.objects.order_by("pk").values_list(
        "code", "actor", "via", "object_type", "object_id", "detail"
    )
    assert list(rows) == [
        ("uadesk.section.added", "editor", "desk", "actions.section", str(section.pk), {}),
        (
            "uadesk.section.changed",
            "editor",
            "desk",
            "actions.section",
            str(section.pk),
            {"fields": ["Name"]},
        ),
        ("uadesk.section.deleted", "editor", "desk", "actions.section", str(section.pk), {}),
    ]
    assert {entry.user.username for entry in AuditEntry.objects.all()} == {"editor"}
    # The admin's own log goes on, for each record's History page.
    assert LogEntry.objects.filter(object_id=str(section.pk)).count() == 3


def test_an_admin_action_that_logs_a_change_is_in_the_audit_log(staff_client, seed_action):
    url = reverse("admin:actions_action_changelist")
    staff_client.post(url, {"action": "close_actions", "_selected_action": [seed_action.pk]})
    entry = only_entry("uadesk.action.changed")
    assert (entry.object_id, entry.detail, entry.actor) == (str(seed_action.pk), {"note": "Closed"}, "editor")


@pytest.mark.parametrize(
    ("action", "status", "code"),
    [("requeue", "failed", "uadesk.appeal.requeued"), ("release", "held", "uadesk.appeal.released"),
     ("hold", "queued", "uadesk.appeal.held")],
)  # fmt: skip
def test_the_appeal_actions_log_how_many(staff_client, seed_action, action, status, code):
    appeals = [
        counted_appeal(seed_action, name=NAME, email=EMAIL, channel="email", status=status) for _ in range(2)
    ]
    counted_appeal(seed_action, name="Bo Chen", email="bo@example.org", channel="email", status="sent")
    selected = [a.pk for a in appeals] + [Appeal.objects.get(status="sent").pk]  # one it leaves alone
    url = reverse("admin:appeals_appeal_changelist")
    assert staff_client.post(url, {"action": action, "_selected_action": selected}).status_code == 302
    [entry] = AuditEntry.objects.all()
    assert (entry.code, entry.via, entry.actor, entry.object_type, entry.detail) == (
        code, "desk", "editor", "appeals.appeal", {"count": 2},
    )  # fmt: skip
    assert_no_personal_data(EMAIL, NAME)


def test_the_other_bulk_actions_log_how_many(staff_client, seed_action):
    from axes.models import AccessAttempt

    targets = list(seed_action.targets.values_list("pk", flat=True)[:2])
    url = reverse("admin:actions_target_changelist")
    staff_client.post(url, {"action": "email_take_again", "_selected_action": targets})
    old = AccessAttempt.objects.create(
        user_agent="test", ip_address="192.0.2.1", http_accept="*/*", path_info="/staff/login/", username="y",
        get_data="", post_data="", failures_since_start=1,
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(days=30))
    url = reverse("admin:axes_accessattempt_changelist")
    staff_client.post(url, {"action": "cleanup_expired_attempts", "_selected_action": [old.pk]})
    rows = AuditEntry.objects.order_by("pk").values_list("code", "actor", "object_type", "detail")
    assert list(rows) == [
        ("uadesk.target.email_taken_again", "editor", "actions.target", {"count": 2}),
        ("uadesk.accessattempt.cleaned_up", "editor", "axes.accessattempt", {"count": 1}),
    ]


def test_viewing_a_supporter_in_the_desk_is_logged(staff_client, ana):
    page = staff_client.get(reverse("admin:supporters_supporter_change", args=[ana.pk]))
    assert page.status_code == 200
    entry = only_entry("uadesk.supporter.viewed")
    assert (entry.via, entry.actor, entry.object_type, entry.object_id) == (
        "desk", "editor", "supporters.supporter", str(ana.pk),
    )  # fmt: skip
    assert_no_personal_data(EMAIL, NAME)


def test_looking_a_supporter_up_is_logged_without_the_address(staff_client, ana):
    changelist = reverse("admin:supporters_supporter_changelist")
    staff_client.get(changelist)  # the plain list looks nobody up
    assert not AuditEntry.objects.exists()
    staff_client.get(changelist, {"q": EMAIL.upper()})
    staff_client.get(changelist, {"q": "nobody@example.org"})
    staff_client.get(changelist, {"q": f"#{ana.pk}"})
    rows = AuditEntry.objects.order_by("pk").values_list("code", "object_type", "detail")
    assert list(rows) == [
        ("uadesk.supporter.searched", "supporters.supporter", {"by": "email", "found": 1}),
        ("uadesk.supporter.searched", "supporters.supporter", {"by": "email", "found": 0}),
        ("uadesk.supporter.searched", "supporters.supporter", {"by": "number", "found": 1}),
    ]
    assert_no_personal_data(EMAIL, "nobody@example.org")


def test_opening_a_letter_in_the_desk_is_logged(staff_client, open_action):
    appeal = counted_appeal(open_action, name=NAME, email=EMAIL)
    page = staff_client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    assert page.status_code == 200 and NAME in page.content.decode()
    entry = only_entry("uadesk.appeal.viewed")
    assert (entry.via, entry.actor, entry.object_type, entry.object_id) == (
        "desk", "editor", "appeals.appeal", str(appeal.pk),
    )  # fmt: skip
    assert_no_personal_data(EMAIL, NAME, "Porto")


def test_opening_an_officials_reply_in_the_desk_is_logged(staff_client, open_action):
    appeal = counted_appeal(open_action, name=NAME, email=EMAIL)
    reply = Reply.objects.create(appeal=appeal, text=f"Dear {NAME}, we have read your letter.")
    page = staff_client.get(reverse("admin:appeals_reply_change", args=[reply.pk]))
    assert page.status_code == 200 and NAME in page.content.decode()
    entry = only_entry("uadesk.reply.viewed")
    assert (entry.actor, entry.object_type, entry.object_id) == ("editor", "appeals.reply", str(reply.pk))
    assert_no_personal_data(EMAIL, NAME)


def test_the_signature_list_a_search_in_it_and_a_signature_are_logged(staff_client, ana):
    signature = Signature.objects.get(supporter=ana)
    changelist = reverse("admin:petitions_signature_changelist")
    assert NAME in staff_client.get(changelist).content.decode()
    staff_client.get(changelist, {"q": "Silva"})
    staff_client.get(changelist, {"q": "Nobody"})
    page = staff_client.get(reverse("admin:petitions_signature_change", args=[signature.pk]))
    assert page.status_code == 200 and NAME in page.content.decode()
    rows = AuditEntry.objects.order_by("pk").values_list("code", "object_type", "object_id", "detail")
    assert list(rows) == [
        ("uadesk.signature.viewed", "petitions.signature", "", {"shown": 1}),
        ("uadesk.signature.searched", "petitions.signature", "", {"found": 1}),
        ("uadesk.signature.searched", "petitions.signature", "", {"found": 0}),
        ("uadesk.signature.viewed", "petitions.signature", str(signature.pk), {}),
    ]
    assert_no_personal_data(EMAIL, NAME, "Nobody")


def test_erasing_in_the_desk_is_logged_as_an_erasure(staff_client, ana):
    url = reverse("admin:supporters_supporter_changelist")
    staff_client.post(url, {"action": "erase_selected", "_selected_action": [ana.pk], "post": "yes"})
    assert not Supporter.objects.filter(pk=ana.pk).exists()
    [entry] = AuditEntry.objects.all()
    assert (entry.code, entry.via, entry.actor, entry.object_id) == (
        "uadesk.supporter.erased", "desk", "editor", str(ana.pk),
    )  # fmt: skip
    assert_no_personal_data(EMAIL, NAME)


def test_a_signature_export_is_logged(staff_client, ana, petition):
    response = staff_client.get(reverse("admin:petitions_petition_export", args=[petition.pk]) + "?emails=1")
    assert response.status_code == 200 and EMAIL in response.content.decode()
    entry = only_entry("uadesk.signature.exported")
    assert (entry.actor, entry.object_type, entry.object_id, entry.detail) == (
        "editor", "petitions.petition", str(petition.pk), {"rows": 1, "with_emails": True},
    )  # fmt: skip
    assert_no_personal_data(EMAIL, NAME)


# The command line


def test_supporters_show_on_the_command_line_is_logged_as_an_export(ana):
    out = io.StringIO()
    call_command("supporters", "show", EMAIL.lower(), stdout=out)
    assert json.loads(out.getvalue())["supporter"]["email"] == EMAIL  # it did print their data
    [entry] = AuditEntry.objects.all()
    assert (entry.code, entry.via, entry.actor, entry.user) == (
        "uadesk.supporter.exported", "command", "command line", None,
    )  # fmt: skip
    assert (entry.object_type, entry.object_id) == ("supporters.supporter", str(ana.pk))
    assert entry.detail["records"]["petitions"] == 1
    assert_no_personal_data(EMAIL, NAME)


def test_supporters_erase_on_the_command_line_is_logged(ana):
    call_command("supporters", "erase", EMAIL, stdout=io.StringIO())
    [entry] = AuditEntry.objects.all()
    assert (entry.code, entry.via, entry.actor, entry.object_id) == (
        "uadesk.supporter.erased", "command", "command line", str(ana.pk),
    )  # fmt: skip
    assert_no_personal_data(EMAIL, NAME)


# The API


def test_an_api_read_of_personal_data_logs_the_number_of_records(client, open_action):
    for _ in range(3):
        counted_appeal(open_action, name=NAME, email=EMAIL)
    auth = bearer("personal_data", name="CRM of the Porto group")
    url = f"/api/advocacy_campaigns/{open_action.slug}/appeals?per_page=2"
    response = client.get(url, HTTP_AUTHORIZATION=auth)
    assert response.json()["_embedded"]["osdi:outreaches"][0]["email"] == EMAIL
    [entry] = AuditEntry.objects.all()
    token = ApiToken.objects.get()
    assert (entry.code, entry.via, entry.actor, entry.user) == (
        "uadesk.api.read", "api", f"CRM of the Porto group ({token.prefix}…)", None,
    )  # fmt: skip
    assert entry.detail == {"method": "GET", "path": url, "records": 2, "token": token.pk}
    assert_no_personal_data(EMAIL, NAME)


def test_an_api_change_is_logged(client, petition):
    auth = bearer("write")
    url = f"/api/petitions/{petition.slug}"
    assert send(client, "PATCH", url, {"goal": 500}, auth=auth).status_code == 200
    entry = only_entry("uadesk.api.changed")
    assert (entry.via, entry.detail["method"], entry.detail["path"]) == ("api", "PATCH", url)
    assert "records" not in entry.detail


# The page


@pytest.fixture
def entries(django_user_model):
    ines = django_user_model.objects.create_user("ines", is_staff=True)
    old = audit.log("uadesk.appeal.requeued", user=ines, obj=Appeal, count=3)
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    audit.log("uadesk.apitoken.changed", user=ines, note="revoked")
    audit.log("uadesk.api.read", via="api", actor="CRM (uad_abcdefgh…)", records=4)
    audit.log("uadesk.supporter.exported", via="command", records={"petitions": 1})


def listed(client, **query) -> list[str]:
    response = client.get(AUDIT_LOG, query)
    assert response.status_code == 200
    return sorted(entry.code for entry in response.context["cl"].result_list)


def test_an_administrator_reads_the_log_filtered_by_code_who_and_date(as_role, entries):
    client = as_role("Administrator")
    page = client.get(AUDIT_LOG).content.decode()
    assert "uadesk.supporter.exported" in page and "CRM (uad_abcdefgh…)" in page
    assert listed(client, code="uadesk.api") == ["uadesk.api.read"]  # not uadesk.apitoken.changed
    assert listed(client, code="uadesk.appeal.requeued") == ["uadesk.appeal.requeued"]
    assert listed(client, actor="ines") == ["uadesk.apitoken.changed", "uadesk.appeal.requeued"]
    assert listed(client, via__exact="command") == ["uadesk.supporter.exported"]
    since = str(timezone.now() - datetime.timedelta(days=7))
    assert "uadesk.appeal.requeued" not in listed(client, at__gte=since)
    assert len(listed(client, at__gte=since)) == 3
    choices = client.get(AUDIT_LOG).context["cl"].filter_specs[0].lookup_choices
    assert [value for value, _ in choices] == [
        "uadesk.api",
        "uadesk.apitoken",
        "uadesk.appeal",
        "uadesk.supporter",
    ]
    entry = AuditEntry.objects.get(code="uadesk.api.read")
    detail = client.get(reverse("admin:staff_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and "&quot;records&quot;: 4" in detail.content.decode()


@pytest.mark.parametrize("role", ["Editor", "Analyst", "Support", "Organisers"])
def test_other_roles_are_refused_the_log(as_role, entries, role):
    client = as_role(role)
    assert client.get(AUDIT_LOG).status_code == 403
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:staff_auditentry_change", args=[entry.pk])).status_code == 403


def test_without_signing_in_the_log_is_a_sign_in_page(client, entries):
    response = client.get(AUDIT_LOG)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_nobody_alters_the_log_through_the_desk(staff_client, entries):
    entry = AuditEntry.objects.get(code="uadesk.api.read")
    change = reverse("admin:staff_auditentry_change", args=[entry.pk])
    assert staff_client.get(reverse("admin:staff_auditentry_add")).status_code == 403
    assert staff_client.post(change, {"code": "uadesk.api.changed", "actor": "nobody"}).status_code == 403
    delete = reverse("admin:staff_auditentry_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    form = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    staff_client.post(AUDIT_LOG, form)
    page = staff_client.get(AUDIT_LOG).content.decode()
    assert (
        'value="delete_selected"' not in page
        and 'name="_save"' not in staff_client.get(change).content.decode()
    )
    entry_after = AuditEntry.objects.get(pk=entry.pk)
    assert (entry_after.code, entry_after.actor, AuditEntry.objects.count()) == (entry.code, entry.actor, 4)


# The trails kept before


@pytest.mark.django_db(transaction=True)
def test_the_earlier_trails_are_copied_into_the_log_by_the_migration():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    api_before = ("api", "0002_token_scope_target_addresses")
    executor.migrate([api_before, ("staff", None)])
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ("api", "staff")]
    old = MigrationExecutor(connection).loader.project_state([api_before, *others]).apps
    token = old.get_model("api", "ApiToken").objects.create(
        name="CRM", prefix="uad_abcdefgh", key_hash="x" * 64
    )
    ApiAuditEntry = old.get_model("api", "ApiAuditEntry")
    read = ApiAuditEntry.objects.create(token=token, token_name="CRM", method="GET", path="/api/x", records=3)
    ApiAuditEntry.objects.create(token=None, token_name="Old sync", method="PATCH", path="/api/y", records=0)
    user = old.get_model("auth", "User").objects.create(username="ines", is_staff=True)
    ContentType = old.get_model("contenttypes", "ContentType")
    supporters = ContentType.objects.get_or_create(app_label="supporters", model="supporter")[0]
    actions = ContentType.objects.get_or_create(app_label="actions", model="action")[0]
    LogEntry = old.get_model("admin", "LogEntry")
    for content_type, flag, message in [
        (
            actions,
            2,
            json.dumps([{"changed": {"fields": ["Title"]}}, {"added": {"name": "target", "object": "Xi"}}]),
        ),
        (actions, 2, "Closed"),
        (supporters, 3, ""),
    ]:
        LogEntry.objects.create(
            user=user, content_type=content_type, object_id="7", object_repr=f"{NAME} <{EMAIL}>",
            action_flag=flag, change_message=message,
        )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = AuditEntry.objects.order_by("code", "pk").values_list(
        "code", "actor", "via", "object_type", "detail"
    )
    assert list(rows) == [
        ("uadesk.action.changed", "ines", "desk", "actions.action",
         {"fields": ["Title"], "related": {"target": {"added": 1}}}),
        ("uadesk.action.changed", "ines", "desk", "actions.action", {"note": "Closed"}),
        ("uadesk.api.changed", "Old sync", "api", "", {"method": "PATCH", "path": "/api/y", "token": None}),
        ("uadesk.api.read", "CRM (uad_abcdefgh…)", "api", "",
         {"method": "GET", "path": "/api/x", "records": 3, "token": token.pk}),
        ("uadesk.supporter.erased", "ines", "desk", "supporters.supporter", {}),
    ]  # fmt: skip
    assert AuditEntry.objects.get(code="uadesk.api.read").at == read.created_at
    assert AuditEntry.objects.get(code="uadesk.supporter.erased").user.username == "ines"
    assert_no_personal_data(EMAIL, NAME)
