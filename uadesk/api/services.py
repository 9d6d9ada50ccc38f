"""Work behind the API that spans models: actions from documents, targets and their CSV import, webhooks."""

import csv
import datetime
import hashlib
import io
import json
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from uadesk.actions.models import Action, Individual, ModelLetter, Target, Translation
from uadesk.actions.services import RedirectRefused, action_create_from_document, target_save
from uadesk.appeals.models import Appeal
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, batch_remembered
from uadesk.delivery.services import message_queue
from uadesk.delivery.webhook import WebhookRequest
from uadesk.petitions.models import Signature

from .http import ApiError, validation_error
from .models import Webhook, WebhookDelivery
from .serializers import ACTION_FIELDS, TARGET_FIELDS, apply_fields, document_validate

log = logging.getLogger(__name__)


# -- Actions -----------------------------------------------------------------------------------------


def actions_queryset(*, drafts: bool) -> models.QuerySet:
    """Actions with what the API shows of them in a fixed number of queries; drafts only for tokens."""
    actions = Action.objects.all() if drafts else Action.objects.public()
    return (
        actions.select_related("earlier")
        .annotate(total_outreaches=Count("appeals", filter=Q(appeals__status__in=Appeal.COUNTED)))
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(localisation__isnull=True)),
            Prefetch("letters", queryset=ModelLetter.objects.filter(localisation__isnull=True)),
            Prefetch("individuals", queryset=Individual.objects.all()),
            Prefetch("translations", queryset=Translation.objects.filter(localisation__isnull=True)),
        )
        .order_by("-updated_at", "-pk")
    )


def action_touch(action: Action) -> None:
    """A change to a target is a change to the campaign: modified_since must find it."""
    Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())


def document_checksum(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def action_create(*, document: dict, letter_language: str) -> Action:
    """A draft action from a UA document in the ingest contract; the same document twice is a 409."""
    document_validate(document)
    checksum = document_checksum(document)
    if existing := Action.objects.filter(source_sha256=checksum).first():
        raise ApiError(409, "duplicate", f"This document is already the action “{existing.slug}”.", "title")
    try:
        with transaction.atomic():
            return action_create_from_document(
                document=document, source_sha256=checksum, letter_language=letter_language
            )
    except IntegrityError:
        raise ApiError(409, "duplicate", "This document was created a moment ago.", "title") from None


def action_update(*, action: Action, data: dict) -> Action:
    apply_fields(action, data, ACTION_FIELDS)
    if action.kind not in Action.Kind.values:
        raise ApiError(422, "invalid", f"Must be one of {', '.join(Action.Kind.values)}.", "kind")
    action.full_clean()
    action.save()
    return action


def action_publish(*, action: Action) -> Action:
    """Publishes as the staff desk does: a closed action stays closed, and targets and a letter are needed."""
    if action.status == Action.Status.CLOSED:
        raise ApiError(409, "closed", "A closed action cannot be published again.", "status")
    if not action.targets.filter(localisation__isnull=True).exists():
        raise ApiError(
            422, "incomplete", "A published action needs at least one target to write to.", "targets"
        )
    if not action.letters.filter(localisation__isnull=True).exists():
        raise ApiError(422, "incomplete", "A published action needs a model letter.", "letters")
    try:
        action.publish()
    except ValidationError:
        action.status = Action.Status.DRAFT  # publish() changed it before clean() refused
        raise
    return action


# -- Targets -----------------------------------------------------------------------------------------


def _target_save(target: Target, *, may_redirect: bool = False) -> Target:
    if target.role not in Target.Role.values:
        raise ApiError(422, "invalid", f"Must be one of {', '.join(Target.Role.values)}.", "role")
    target.full_clean()
    try:
        target_save(target=target, may_redirect=may_redirect)
    except RedirectRefused as refused:
        raise ApiError(
            403, "forbidden",
            "Changing where a target's letters go (an email address or fax number added or changed) "
            "needs a token with the target_addresses scope.",
            refused.field,
        ) from None  # fmt: skip
    action_touch(target.action)
    return target


def target_create(*, action: Action, data: dict) -> Target:
    last = action.targets.aggregate(n=models.Max("position"))["n"]
    target = Target(action=action, position=0 if last is None else last + 1)
    apply_fields(target, data, TARGET_FIELDS, required=["name"])
    return _target_save(target)


def target_update(*, target: Target, data: dict, may_redirect: bool) -> Target:
    """Changes a target; a new email address or fax number on a target letters go to needs may_redirect
    (the token's target_addresses scope), and holds the letters waiting for it (actions' target_save)."""
    apply_fields(target, data, TARGET_FIELDS)
    return _target_save(target, may_redirect=may_redirect)


def target_delete(*, target: Target) -> None:
    if target.appeals.exists():
        raise ApiError(409, "in_use", "Supporters have written to this target: it stays, for the record.")
    target.delete()
    action_touch(target.action)


# One embassy per row. Cells with several values (address lines, emails, faxes, phones) separate them
# with "|" or with line breaks inside a quoted cell.
CSV_COLUMNS = [
    "name", "native_name", "title", "honorific", "address", "native_address", "native_language", "country",
    "emails", "faxes", "phones", "salutation", "role",
]  # fmt: skip
CSV_MAX_ROWS = 1000


class CsvImportError(Exception):
    def __init__(self, row: int, message: str, field: str | None = None):
        super().__init__(f"row {row}: {message}" if row else message)
        self.row, self.field = row, field


def _cell_lines(value: str) -> str:
    return "\n".join(part.strip() for part in value.replace("|", "\n").splitlines() if part.strip())


def targets_import_csv(*, action: Action, data: bytes) -> list[Target]:
    """Adds one target per row, all or none: the first bad row (counting the header as row 1) stops it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvImportError(0, "the file is not UTF-8 text") from None
    if "\x00" in text:
        raise CsvImportError(0, "the file contains NUL characters")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if "name" not in header:
            raise CsvImportError(1, "the header needs a name column; columns: " + ", ".join(CSV_COLUMNS))
        if unknown := [h for h in header if h not in CSV_COLUMNS]:
            raise CsvImportError(1, f"unknown column “{unknown[0]}”; columns: " + ", ".join(CSV_COLUMNS))
        if len(set(header)) != len(header):
            raise CsvImportError(1, "a column is named twice")
        rows = list(reader)
    except csv.Error as error:
        raise CsvImportError(reader.line_num, f"not readable as CSV ({error})") from None
    rows = [(n, row) for n, row in enumerate(rows, start=2) if any(cell.strip() for cell in row)]
    if not rows:
        raise CsvImportError(0, "no rows under the header")
    if len(rows) > CSV_MAX_ROWS:
        raise CsvImportError(0, f"at most {CSV_MAX_ROWS} rows at once")
    last = action.targets.aggregate(n=models.Max("position"))["n"]
    start = 0 if last is None else last + 1
    targets = []
    for i, (number, row) in enumerate(rows):
        if len(row) != len(header):
            raise CsvImportError(number, f"{len(row)} cells for {len(header)} columns")
        cells = {column: value.strip() for column, value in zip(header, row, strict=True)}
        target = Target(
            action=action,
            position=start + i,
            name=cells.get("name", ""),
            native_name=cells.get("native_name", ""),
            title=cells.get("title", ""),
            honorific=cells.get("honorific", ""),
            address=_cell_lines(cells.get("address", "")),
            native_address=_cell_lines(cells.get("native_address", "")),
            native_language=cells.get("native_language", ""),
            country=cells.get("country", ""),
            emails=_cell_lines(cells.get("emails", "")),
            faxes=_cell_lines(cells.get("faxes", "")),
            phones=_cell_lines(cells.get("phones", "")),
            salutation=cells.get("salutation", ""),
            # An embassy is usually where UAs ask for copies to go.
            role=cells.get("role") or Target.Role.COPY,
        )
        if target.role not in Target.Role.values:
            raise CsvImportError(number, f"role: use one of {', '.join(Target.Role.values)}", "role")
        try:
            target.full_clean()
        except ValidationError as error:
            problem = validation_error(error)
            raise CsvImportError(number, f"{problem.field}: {problem.message}", problem.field) from None
        targets.append(target)
    with transaction.atomic():
        Target.objects.bulk_create(targets)
        action_touch(action)
    return list(
        action.targets.filter(localisation__isnull=True, position__gte=start).order_by("position", "pk")
    )


# -- Webhooks ----------------------------------------------------------------------------------------


def _appeal_payload(appeal: Appeal, *, personal: bool) -> dict:
    data = {
        "appeal_id": appeal.pk,
        "action": appeal.action.slug,
        "target_id": appeal.target_id,
        "channel": appeal.channel,
        "counted_at": (appeal.sent_at or appeal.created_at).isoformat(),
        "total_outreaches": Appeal.objects.counted().filter(action_id=appeal.action_id).count(),
    }
    if personal:
        data["person"] = {"name": appeal.supporter_name, "country": appeal.supporter_country}
    return data


def _signature_payload(signature, *, personal: bool) -> dict:
    petition = signature.petition
    data = {
        "signature_id": signature.pk,
        "petition": petition.slug,
        "action": petition.action.slug if petition.action_id else None,
        "confirmed_at": signature.confirmed_at.isoformat(),
        "total_signatures": petition.signatures.confirmed().count(),
    }
    if personal:
        data["person"] = {"name": signature.name_shown, "country": signature.country}
    return data


def _event_subject(event: str, object_id: int):
    """The appeal or signature an event is about, if it (still) is one: counted, or confirmed."""
    if event == Webhook.Event.APPEAL_COUNTED:
        subject = Appeal.objects.counted().select_related("action").filter(pk=object_id).first()
        return subject, (subject.sent_at or subject.created_at) if subject else None
    if event == Webhook.Event.SIGNATURE_CONFIRMED:
        subject = (
            Signature.objects.confirmed().select_related("petition__action").filter(pk=object_id).first()
        )
        return subject, subject.confirmed_at if subject else None
    return None, None


def webhook_deliveries_create(*, event: str, object_id: int) -> int:
    """A delivery for each active webhook that wants the event and existed when it happened, each with
    its message in the outbox, in the caller's transaction (the one that counted the appeal or
    confirmed the signature); made once however often it is asked for (a second save finds the row and
    queues nothing). Returns how many it made."""
    wants = "appeals" if event == Webhook.Event.APPEAL_COUNTED else "signatures"

    def hooks():
        return Webhook.objects.filter(active=True, **{wants: True})

    # In the outbox's worker, asked once per batch of letters: a webhook saved while a batch goes
    # hears of the letters of the next batch on.
    if not batch_remembered(("webhooks", wants), lambda: hooks().exists()):
        return 0
    subject, happened_at = _event_subject(event, object_id)
    if subject is None:
        return 0
    build = _appeal_payload if event == Webhook.Event.APPEAL_COUNTED else _signature_payload
    made = 0
    for hook in hooks().filter(created_at__lte=happened_at):
        payload = {
            "event": event,
            "created_at": timezone.now().isoformat(),
            "data": build(subject, personal=hook.personal_data),
        }
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=hook, event=event, object_id=object_id, payload=payload
                )
                message_queue(Message.Kind.WEBHOOK, delivery.pk)
        except IntegrityError:
            continue  # made already
        made += 1
    return made


class WebhookSender(Sender):
    """A delivery's signed POST, signed afresh on each try: the receiver refuses an old timestamp."""

    kind = Message.Kind.WEBHOOK
    about = "api.webhookdelivery"

    def envelopes(self, messages):
        deliveries = WebhookDelivery.objects.select_related("webhook").in_bulk(m.ref for m in messages)
        return {m.pk: self.envelope(deliveries.get(m.ref)) for m in messages}

    def envelope(self, delivery: WebhookDelivery | None) -> Envelope | str | None:
        if delivery is None:
            return None
        if not delivery.webhook.active:
            return "the webhook was switched off"
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "X-Uadesk-Event": delivery.event,
            "X-Uadesk-Delivery": str(delivery.pk),
            "X-Uadesk-Signature": delivery.webhook.sign(body, int(time.time())),
        }
        return Envelope("webhook", WebhookRequest(body, headers), delivery.webhook.url)

    def max_attempts(self) -> int:
        return settings.WEBHOOK_MAX_ATTEMPTS

    def retry_base_seconds(self) -> int:
        return settings.WEBHOOK_RETRY_BASE_SECONDS


# -- Petitions ---------------------------------------------------------------------------------------


def petition_save(*, petition, data: dict, creating: bool):
    """Creates or changes a petition from JSON: its action or campaign by slug, closes_at as date-time."""
    from uadesk.actions.models import Campaign

    from .serializers import PETITION_FIELDS, check_text

    data = dict(data)
    check_text(data, "")
    for name, model in (("action", Action), ("campaign", Campaign)):
        if name in data:
            slug = data.pop(name)
            if slug is not None and not isinstance(slug, str):
                raise ApiError(422, "invalid", "Must be a slug or null.", name)
            found = model.objects.filter(slug=slug).first() if slug else None
            if slug and found is None:
                raise ApiError(422, "not_found", f"No {name} has the slug “{slug}”.", name)
            setattr(petition, name, found)
    if "closes_at" in data:
        value = data.pop("closes_at")
        moment = None
        if isinstance(value, str):
            from django.utils.dateparse import parse_datetime

            try:
                moment = parse_datetime(value)
            except ValueError:
                moment = None
        try:
            moment = moment.astimezone(datetime.UTC) if moment and timezone.is_aware(moment) else None
        except OverflowError:
            moment = None
        if value is not None and moment is None:
            raise ApiError(422, "invalid", "Must be a date-time with its offset, or null.", "closes_at")
        petition.closes_at = moment
    apply_fields(
        petition, data, PETITION_FIELDS, required=["slug", "title", "petition_text"] if creating else []
    )
    if not creating and petition.slug != type(petition).objects.get(pk=petition.pk).slug:
        raise ApiError(422, "invalid", "A petition's slug stays as it was made.", "slug")
    if creating and type(petition).objects.filter(slug=petition.slug).exists():
        raise ApiError(409, "duplicate", "Another petition has this slug.", "slug")
    petition.full_clean()
    try:
        with transaction.atomic():
            petition.save()
    except IntegrityError:
        raise ApiError(409, "duplicate", "Another petition has this slug.", "slug") from None
    return petition


# -- The supporters' data this app holds: names in the payloads of webhooks allowed personal data -------


def _deliveries_about(supporter) -> models.QuerySet:
    appeals = Appeal.objects.filter(supporter=supporter).values("pk")
    about = Q(event=Webhook.Event.APPEAL_COUNTED, object_id__in=appeals)
    signatures = Signature.objects.filter(supporter=supporter).values("pk")
    about |= Q(event=Webhook.Event.SIGNATURE_CONFIRMED, object_id__in=signatures)
    return WebhookDelivery.objects.filter(about, payload__data__has_key="person")


def supporter_data(supporter) -> dict:
    """Which receivers were told the supporter's name and country, and when."""
    return {
        "webhook_deliveries": [
            {
                "receiver": d.webhook.name,
                "event": d.event,
                "made_at": d.created_at,
                "person": d.payload["data"]["person"],
            }
            for d in _deliveries_about(supporter).select_related("webhook")
        ]
    }


def forget_supporter(supporter) -> None:
    """The name goes from every payload, sent or waiting; a payload still to go carries the counts alone."""
    for delivery in _deliveries_about(supporter):
        del delivery.payload["data"]["person"]
        delivery.save(update_fields=["payload"])
