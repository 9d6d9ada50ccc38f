"""The API's views: short, each naming its methods and scopes; the work is in services.py."""

from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from uadesk.actions.models import LANGUAGE_CODE_RE, Action, Target
from uadesk.appeals.models import Appeal
from uadesk.network.mailings import mailing_report
from uadesk.network.models import ActedReport, Mailing
from uadesk.petitions.models import Petition, Signature
from uadesk.reports.feedback import feedback

from . import serializers, services
from .http import (
    ApiError,
    audit,
    body_bytes,
    check_id,
    choice_param,
    datetime_param,
    endpoint,
    error_response,
    has_scope,
    json_body,
    json_ok,
    page,
)
from .openapi import openapi_document

PAGING = ("page", "per_page", "modified_since")


def _sees_drafts(request) -> bool:
    return has_scope(request, "read") or has_scope(request, "write")


def _action(request, slug: str) -> Action:
    return get_object_or_404(services.actions_queryset(drafts=_sees_drafts(request)), slug=slug)


@endpoint(GET=None)
def openapi(request):
    return json_ok(request, openapi_document(request))


@endpoint(GET=None, POST="write", params={"GET": (*PAGING, "status"), "POST": ("letter_language",)})
def campaigns(request):
    if request.method == "POST":
        language = request.GET.get("letter_language", "en")
        if not LANGUAGE_CODE_RE.match(language):
            raise ApiError(
                400, "invalid_parameter", "letter_language is a code such as en or zh.", "letter_language"
            )
        action = services.action_create(document=json_body(request), letter_language=language)
        return _campaign_response(request, action.slug, status=201)
    actions = services.actions_queryset(drafts=_sees_drafts(request))
    if status := choice_param(request, "status", Action.Status.values):
        actions = actions.filter(status=status)
    if since := datetime_param(request, "modified_since"):
        actions = actions.filter(updated_at__gte=since)
    data, headers = page(
        request,
        actions,
        embed="osdi:advocacy_campaigns",
        render=lambda a: serializers.campaign_data(request, a),
    )
    return json_ok(request, data, headers=headers)


def _campaign_response(request, slug: str, status: int = 200):
    action = _action(request, slug)
    headers = {"Location": reverse("api:campaign", kwargs={"slug": slug})} if status == 201 else {}
    return json_ok(request, serializers.campaign_data(request, action), status=status, headers=headers)


@endpoint(GET=None, PATCH="write")
def campaign(request, slug: str):
    if request.method == "PATCH":
        services.action_update(action=_action(request, slug), data=json_body(request))
    return _campaign_response(request, slug)


@endpoint(POST="write")
def campaign_publish(request, slug: str):
    services.action_publish(action=_action(request, slug))
    return _campaign_response(request, slug)


@endpoint(GET=None)
def campaign_export(request, slug: str):
    return json_ok(request, serializers.action_document(_action(request, slug)))


@endpoint(GET=None)
def campaign_outreaches(request, slug: str):
    action = _action(request, slug)
    counted = Appeal.objects.counted().filter(action=action)
    by_channel = counted.values_list("channel").annotate(n=Count("pk")).order_by("channel")
    by_target = counted.values_list("target", "target__name").annotate(n=Count("pk")).order_by("target")
    off_desk = (
        ActedReport.objects.filter(action=action)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .order_by("channel")
    )
    data = {
        "action": action.slug,
        "total_outreaches": action.total_outreaches,
        "by_channel": [{"channel": channel, "total": n} for channel, n in by_channel],
        "by_target": [{"target_id": pk, "name": name, "total": n} for pk, name, n in by_target],
        "off_desk_by_channel": [{"channel": channel, "total": n} for channel, n in off_desk],
    }
    return json_ok(request, data)


@endpoint(GET="read")
def campaign_mailings(request, slug: str):
    action = _action(request, slug)
    data = {
        "action": action.slug,
        "mailings": [
            {
                "id": m.pk,
                "kind": m.kind,
                "status": m.status,
                "started_date": m.started_at,
                "finished_date": m.finished_at,
                **mailing_report(m),
            }  # fmt: skip
            for m in Mailing.objects.filter(action=action).order_by("created_at")
        ],
    }
    return json_ok(request, data)


def _target_list(request, targets, status: int = 200):
    data = {
        "total_records": len(targets),
        "_embedded": {"osdi:targets": [serializers.target_data(t) for t in targets]},
    }
    return json_ok(request, data, status=status)


@endpoint(GET=None, POST="write")
def campaign_targets(request, slug: str):
    action = _action(request, slug)
    if request.method == "GET":
        return _target_list(request, list(action.targets.all()))
    content_type, body = body_bytes(request, "application/json", "text/csv")
    if content_type == "text/csv":
        try:
            targets = services.targets_import_csv(action=action, data=body)
        except services.CsvImportError as error:
            raise ApiError(422, "invalid_csv", str(error), error.field) from None
        return _target_list(request, targets, status=201)
    target = services.target_create(action=action, data=json_body(request))
    return json_ok(request, serializers.target_data(target), status=201)


@endpoint(GET=None, PATCH="write", DELETE="write")
def campaign_target(request, slug: str, target_id: int):
    action = _action(request, slug)
    target = get_object_or_404(Target, action=action, localisation__isnull=True, pk=check_id(target_id))
    if request.method == "DELETE":
        services.target_delete(target=target)
        return json_ok(request, {"deleted": True, "id": target_id})
    if request.method == "PATCH":
        services.target_update(
            target=target, data=json_body(request), may_redirect=has_scope(request, "target_addresses")
        )
    return json_ok(request, serializers.target_data(target))


@endpoint(GET="personal_data", params={"GET": PAGING})
def campaign_appeals(request, slug: str):
    """The people who wrote: counted appeals with names and email addresses; every call is audited."""
    action = _action(request, slug)
    appeals = Appeal.objects.counted().filter(action=action).select_related("supporter").order_by("pk")
    if since := datetime_param(request, "modified_since"):
        appeals = appeals.filter(sent_at__gte=since)
    data, headers = page(request, appeals, embed="osdi:outreaches", render=serializers.appeal_data)
    audit(request, len(data["_embedded"]["osdi:outreaches"]))
    return json_ok(request, data, personal=True, headers=headers)


@endpoint(GET="read")
def action_feedback(request, action_id: int):
    """The feedback report: totals per section and in all, by section country, channel and official."""
    action = get_object_or_404(Action, pk=check_id(action_id))
    return json_ok(request, serializers.feedback_data(feedback(action)))


# -- Petitions ---------------------------------------------------------------------------------------


def _petitions(request):
    petitions = Petition.objects.all() if _sees_drafts(request) else Petition.objects.public()
    return petitions.select_related("action", "campaign").annotate(
        confirmed=Count("signatures", filter=serializers.confirmed_filter())
    )


def _petition_response(request, slug: str, status: int = 200):
    petition = get_object_or_404(_petitions(request), slug=slug)
    data = serializers.petition_data(request, petition, petition.confirmed)
    headers = {"Location": reverse("api:petition", kwargs={"slug": slug})} if status == 201 else {}
    return json_ok(request, data, status=status, headers=headers)


@endpoint(GET=None, POST="write", params={"GET": PAGING[:2]})
def petitions(request):
    rows = _petitions(request)
    if request.method == "POST":
        petition = services.petition_save(petition=Petition(), data=json_body(request), creating=True)
        return _petition_response(request, petition.slug, status=201)
    rows = rows.order_by("-created_at", "-pk")
    data, headers = page(
        request,
        rows,
        embed="osdi:petitions",
        render=lambda p: serializers.petition_data(request, p, p.confirmed),
    )
    return json_ok(request, data, headers=headers)


@endpoint(GET=None, PATCH="write")
def petition(request, slug: str):
    if request.method == "PATCH":
        found = get_object_or_404(_petitions(request), slug=slug)
        services.petition_save(petition=found, data=json_body(request), creating=False)
    return _petition_response(request, slug)


@endpoint(GET="personal_data", params={"GET": PAGING})
def petition_signatures(request, slug: str):
    """Confirmed signatures with names and email addresses; every call is audited."""
    found = get_object_or_404(_petitions(request), slug=slug)
    signatures = (
        Signature.objects.confirmed().filter(petition=found).select_related("supporter").order_by("pk")
    )
    if since := datetime_param(request, "modified_since"):
        signatures = signatures.filter(confirmed_at__gte=since)
    data, headers = page(request, signatures, embed="osdi:signatures", render=serializers.signature_data)
    audit(request, len(data["_embedded"]["osdi:signatures"]))
    return json_ok(request, data, personal=True, headers=headers)


@csrf_exempt
def not_found(request, rest: str = "") -> JsonResponse:
    """Any other path under /api/, with any method: a JSON 404, never the site's HTML page."""
    return error_response(404, "not_found", "No such endpoint; see /api/openapi.json.")
