"""The two audit trails kept before the one log, copied into it: the API's ApiAuditEntry rows (the table
goes in api 0003) and the admin's LogEntry rows (which stay, behind each record's History page)."""

import json

from django.conf import settings
from django.db import migrations

BATCH = 2000
VERBS = {1: "added", 2: "changed", 3: "deleted"}


def _change_detail(message: str) -> dict:
    # As uadesk.staff.audited.change_detail on the day of this migration: field names and counts of
    # related rows, never the text of a record.
    try:
        parts = json.loads(message) if message.startswith("[") else None
    except ValueError:
        parts = None
    if parts is None:
        return {"note": message[:1000]} if message else {}
    detail = {}
    for part in parts:
        for kind, what in part.items():
            fields = [str(field) for field in what.get("fields", [])]
            if "name" not in what:
                if fields:
                    detail.setdefault("fields", []).extend(fields)
                continue
            related = detail.setdefault("related", {}).setdefault(str(what["name"]), {})
            related[kind] = related.get(kind, 0) + 1
            if fields:
                related["fields"] = sorted({*related.get("fields", []), *fields})
    return detail


def _in_batches(rows, make, AuditEntry):
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(make(row))
        if len(batch) == BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


def copy_api_entries(apps, schema_editor):
    ApiAuditEntry = apps.get_model("api", "ApiAuditEntry")
    AuditEntry = apps.get_model("staff", "AuditEntry")

    def make(row):
        reading = row.method in ("GET", "HEAD")
        detail = {"method": row.method, "path": row.path, "token": row.token_id}
        if reading:
            detail["records"] = row.records
        actor = f"{row.token_name} ({row.token.prefix}…)" if row.token_id else row.token_name
        return AuditEntry(
            code="uadesk.api.read" if reading else "uadesk.api.changed", at=row.created_at,
            actor=actor[:200] or "API", via="api", detail=detail,
        )  # fmt: skip

    _in_batches(ApiAuditEntry.objects.select_related("token").order_by("pk"), make, AuditEntry)


def copy_api_entries_back(apps, schema_editor):
    ApiAuditEntry = apps.get_model("api", "ApiAuditEntry")
    AuditEntry = apps.get_model("staff", "AuditEntry")
    ApiToken = apps.get_model("api", "ApiToken")
    tokens = set(ApiToken.objects.values_list("pk", flat=True))
    ApiAuditEntry.objects.bulk_create(
        ApiAuditEntry(
            token_id=entry.detail.get("token") if entry.detail.get("token") in tokens else None,
            token_name=entry.actor.rsplit(" (", 1)[0][:200], method=entry.detail.get("method", "")[:10],
            path=entry.detail.get("path", "")[:500], records=entry.detail.get("records", 0),
            created_at=entry.at,
        )  # fmt: skip
        for entry in AuditEntry.objects.filter(via="api").order_by("at", "pk").iterator(chunk_size=BATCH)
    )


def copy_admin_log(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    AuditEntry = apps.get_model("staff", "AuditEntry")

    def make(row):
        model = row.content_type.model if row.content_type_id else "record"
        verb = VERBS.get(row.action_flag, "changed")
        if (model, verb) == ("supporter", "deleted"):
            verb = "erased"  # the supporters admin deletes only by erasing
        object_type = f"{row.content_type.app_label}.{model}" if row.content_type_id else ""
        return AuditEntry(
            code=f"uadesk.{model}.{verb}", at=row.action_time, user_id=row.user_id,
            actor=row.user.username[:200], via="desk", object_type=object_type,
            object_id=(row.object_id or "")[:64], detail=_change_detail(row.change_message or ""),
        )  # fmt: skip

    _in_batches(LogEntry.objects.select_related("content_type", "user").order_by("pk"), make, AuditEntry)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_audit_entry"),
        ("api", "0002_token_scope_target_addresses"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(copy_api_entries, copy_api_entries_back),
        # Going back, the entries go with the table (staff 0001); LogEntry still holds its rows.
        migrations.RunPython(copy_admin_log, migrations.RunPython.noop),
    ]
