"""The OpenAPI 3.1 document of the API, built from the same lists the views use, so the two cannot drift."""

import copy

from django.conf import settings

from uadesk.actions.models import Action, Individual, Target
from uadesk.appeals.models import Appeal
from uadesk.network.models import Mailing
from uadesk.reports.feedback import OFF_DESK_CHANNELS, ON_DESK_CHANNELS

from .http import ID_MAX, PAGE_MAX
from .serializers import ingest_schema
from .services import CSV_COLUMNS

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
STR_LIST = {"type": "array", "items": STR}
NULL_STR = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
NULL_DATETIME = {"type": ["string", "null"], "format": "date-time"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, *, required: list[str] | None = None, closed: bool = True) -> dict:
    schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    if closed:
        schema["additionalProperties"] = False
    return schema


def paged(item: str, embed: str) -> dict:
    return obj(
        {
            "total_records": INT,
            "total_pages": INT,
            "page": INT,
            "per_page": INT,
            "_links": obj({"self": STR, "next": NULL_STR, "prev": NULL_STR}),
            "_embedded": obj({embed: {"type": "array", "items": ref(item)}}),
        }
    )


TARGET = {
    "id": INT,
    "role": {"type": "string", "enum": Target.Role.values},
    "honorific": STR,
    "name": STR,
    "native_name": STR,
    "title": STR,
    "address_lines": STR_LIST,
    "native_address_lines": STR_LIST,
    "native_language": STR,
    "country": STR,
    "emails": STR_LIST,
    "faxes": STR_LIST,
    "phones": STR_LIST,
    "social": STR_LIST,
    "salutation": STR,
    "position": INT,
}
TARGET_INPUT = {k: v for k, v in TARGET.items() if k != "id"} | {
    "position": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
}

ACTION_PATCH = {
    "title": STR,
    "kind": {"type": "string", "enum": Action.Kind.values},
    "ua_number": STR,
    "index_number": STR,
    "issued_on": DATE,
    "description": STR,
    "additional_information": STR,
    "asks": STR_LIST,
    "preferred_languages": STR_LIST,
    "deadline": DATE,
    "deadline_extended_to": DATE,
    "deadline_extension_reason": STR,
    "delivery_notes": STR_LIST,
    "previous_ua_urls": STR_LIST,
}

CAMPAIGN = {
    "identifiers": STR_LIST,
    "slug": STR,
    "title": STR,
    "kind": {"type": "string", "enum": Action.Kind.values},
    "status": {"type": "string", "enum": Action.Status.values},
    "is_open": BOOL,
    "ua_number": STR,
    "index_number": STR,
    "issued_on": DATE,
    "description": STR,
    "additional_information": STR,
    "asks": STR_LIST,
    "preferred_languages": STR_LIST,
    "deadline": DATE,
    "deadline_extended_to": DATE,
    "deadline_extension_reason": STR,
    "effective_deadline": DATE,
    "delivery_notes": STR_LIST,
    "previous_ua_urls": STR_LIST,
    "earlier": NULL_STR,
    "individuals": {
        "type": "array",
        "items": obj(
            {"name": STR, "pronoun": STR, "status": {"type": "string", "enum": Individual.Status.values}}
        ),
    },
    "targets": {"type": "array", "items": ref("Target")},
    "letters": {"type": "array", "items": ref("Letter")},
    "language": STR,
    "translations": {
        "type": "array",
        "items": obj(
            {
                "language": STR,
                "title": STR,
                "description": STR,
                "additional_information": STR,
                "asks": STR_LIST,
                "delivery_notes": STR_LIST,
                "targets": {"type": "array", "items": obj({"id": INT, "title": STR, "salutation": STR})},
            }
        ),
    },
    "total_outreaches": INT,
    "created_date": DATETIME,
    "modified_date": DATETIME,
    "published_date": NULL_DATETIME,
    "browser_url": NULL_STR,
    "_links": obj({"self": STR, "osdi:targets": STR, "osdi:outreaches": STR, "export": STR}),
}

PETITION = {
    "identifiers": STR_LIST,
    "slug": STR,
    "title": STR,
    "description": STR,
    "petition_text": STR,
    "target": STR,
    "goal": INT,
    "accepting": BOOL,
    "is_open": BOOL,
    "closes_at": NULL_DATETIME,
    "action": NULL_STR,
    "campaign": NULL_STR,
    "total_signatures": INT,
    "created_date": DATETIME,
    "_links": obj({"self": STR}),
}
PETITION_INPUT = {
    "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 120},
    "title": STR,
    "petition_text": STR,
    "target": STR,
    "goal": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "accepting": BOOL,
    "closes_at": NULL_DATETIME,
    "action": NULL_STR,
    "campaign": NULL_STR,
}

# Counts by channel: every channel a desk may report is a key.
COUNTS_BY_CHANNEL = {"type": "object", "additionalProperties": INT}
FIGURES = {
    "on_desk": COUNTS_BY_CHANNEL | {"required": ON_DESK_CHANNELS},
    "off_desk": COUNTS_BY_CHANNEL | {"required": OFF_DESK_CHANNELS},
    "on_desk_total": INT,
    "off_desk_total": INT,
    "appeals": INT,
    "signatures": INT,
    "members_mailed": INT,
}
FEEDBACK_DESK = {
    "section": NULL_STR,
    "name": STR,
    "country": STR,
    "counted_at": NULL_DATETIME,
    "received_at": NULL_DATETIME,
    "final": BOOL,
    **FIGURES,
}
FEEDBACK = {
    "action": obj({"id": INT, "slug": STR, "title": STR, "ua_number": STR,
                   "status": {"type": "string", "enum": Action.Status.values}}),
    "sections_reported": INT,
    "final_sections": INT,
    "sections": {"type": "array", "items": ref("FeedbackDesk")},
    "this_desk": ref("FeedbackDesk"),
    "total": obj(FIGURES),
    "by_country": {
        "type": "array",
        "items": obj({"country": STR, "name": STR, "this_desk": BOOL, "desks": STR_LIST, **FIGURES}),
    },
    "by_channel": {
        "type": "array",
        "items": obj({"channel": STR, "on_desk": INT, "off_desk": INT, "appeals": INT}),
    },
    "by_official": {
        "type": "array",
        "items": obj({"target_id": {"type": ["integer", "null"]}, "name": STR, "title": STR, "on_desk": INT,
                      "off_desk": INT, "appeals": INT}),
    },
}  # fmt: skip


def schemas() -> dict:
    document = copy.deepcopy(ingest_schema())
    for key in ("$schema", "$id"):
        document.pop(key, None)
    found = {
        "Error": obj({"error": obj({"code": STR, "message": STR, "field": NULL_STR})}),
        "Target": obj(TARGET),
        "TargetInput": obj(TARGET_INPUT, required=["name"]),
        "TargetPatch": obj(TARGET_INPUT, required=[]),
        "TargetList": obj(
            {
                "total_records": INT,
                "_embedded": obj({"osdi:targets": {"type": "array", "items": ref("Target")}}),
            }
        ),
        "Letter": obj({"language": STR, "salutation": STR, "body": STR, "closing": STR}),
        "AdvocacyCampaign": obj(CAMPAIGN),
        "AdvocacyCampaignPage": paged("AdvocacyCampaign", "osdi:advocacy_campaigns"),
        "AdvocacyCampaignPatch": obj(ACTION_PATCH, required=[]),
        "UADocument": document,
        "Outreaches": obj(
            {
                "action": STR,
                "total_outreaches": INT,
                "by_channel": {"type": "array", "items": obj({"channel": STR, "total": INT})},
                "by_target": {"type": "array", "items": obj({"target_id": INT, "name": STR, "total": INT})},
                # Network members who said by a mailing's link that they wrote off the desk: not in the total.
                "off_desk_by_channel": {"type": "array", "items": obj({"channel": STR, "total": INT})},
            }
        ),
        "Mailings": obj({"action": STR, "mailings": {"type": "array", "items": ref("Mailing")}}),
        "Mailing": obj(
            {
                "id": INT,
                "kind": {"type": "string", "enum": Mailing.Kind.values},
                "status": {"type": "string", "enum": Mailing.Status.values},
                "started_date": NULL_DATETIME,
                "finished_date": NULL_DATETIME,
                **dict.fromkeys(
                    [
                        "recipients",
                        "by_email",
                        "by_post",
                        "sent",
                        "waiting",
                        "bounced",
                        "not_sent",
                        "unsubscribed",
                    ],
                    INT,
                ),
                "acted_on_desk": {"type": "object", "additionalProperties": INT},
                "acted_off_desk": {"type": "object", "additionalProperties": INT},
            }
        ),
        "Appeal": obj(
            {
                "id": INT,
                "target_id": INT,
                "channel": {"type": "string", "enum": Appeal.Channel.values},
                "status": {"type": "string", "enum": Appeal.Status.values},
                "language": STR,
                "name": STR,
                "town": STR,
                "country": STR,
                "email": NULL_STR,
                "created_date": DATETIME,
                "sent_date": NULL_DATETIME,
            }
        ),
        "AppealPage": paged("Appeal", "osdi:outreaches"),
        "FeedbackDesk": obj(FEEDBACK_DESK),
        "Feedback": obj(FEEDBACK),
        "Deleted": obj({"deleted": BOOL, "id": INT}),
    }
    found |= {
        "Petition": obj(PETITION),
        "PetitionPage": paged("Petition", "osdi:petitions"),
        "PetitionInput": obj(PETITION_INPUT, required=["slug", "title", "petition_text"]),
        "PetitionPatch": obj({k: v for k, v in PETITION_INPUT.items() if k != "slug"}, required=[]),
        "Signature": obj(
            {
                "id": INT,
                "name": STR,
                "country": STR,
                "email": NULL_STR,
                "language": STR,
                "consent_case_updates": BOOL,
                "consent_org_news": BOOL,
                "created_date": DATETIME,
                "confirmed_date": NULL_DATETIME,
            }
        ),
        "SignaturePage": paged("Signature", "osdi:signatures"),
    }
    return found


ERRORS = {
    400: "A query parameter or the JSON is malformed.",
    401: "No token, or an unknown, expired or revoked one.",
    403: "The token lacks the scope this needs.",
    404: "No such resource (drafts are not shown without a token).",
    409: "It conflicts with what the desk holds.",
    413: "The body is too large.",
    415: "The body is not of a type this accepts.",
    422: "A field is wrong; error.field names it.",
}


def error(status: int) -> dict:
    return {"description": ERRORS[status], "content": {"application/json": {"schema": ref("Error")}}}


def ok(schema: str, description: str, *, status: int = 200, cached: bool = False, headers=None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": ref(schema)}}}
    response["headers"] = {"ETag": {"schema": STR}, "Cache-Control": {"schema": STR}} | (headers or {})
    answers = {str(status): response}
    if cached:
        answers["304"] = {"description": "Not modified: the If-None-Match ETag is current."}
    return answers


def param(name: str, where: str, schema: dict, description: str, *, required: bool = False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


SLUG = param("slug", "path", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}, "The action's slug.")
PETITION_SLUG = param(
    "slug", "path", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}, "The petition's slug."
)
ACTION_ID = param(
    "action_id", "path", {"type": "integer", "minimum": 1, "maximum": ID_MAX},
    "The action's id (as the federation's feed names it).",
)  # fmt: skip
TARGET_ID = param(
    "target_id", "path", {"type": "integer", "minimum": 1, "maximum": ID_MAX}, "The target's id."
)
IF_NONE_MATCH = param("If-None-Match", "header", STR, "An ETag from an earlier answer: 304 if unchanged.")
PAGING = [
    param("page", "query", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}, "Page number, from 1."),
    param(
        "per_page",
        "query",
        {"type": "integer", "minimum": 1, "maximum": settings.API_PAGE_SIZE_MAX},
        "Per page (25).",
    ),
]
MODIFIED_SINCE = param(
    "modified_since", "query", {"type": "string", "format": "date-time"},
    "Only what changed at or after this moment (a date counts from its midnight, UTC).",
)  # fmt: skip
LINK = {"Link": {"schema": STR, "description": 'RFC 8288 links, rel="next" and rel="prev".'}}
PUBLIC = [{}, {"bearerAuth": []}]
TOKEN = [{"bearerAuth": []}]


def op(
    summary: str, responses: dict, errors: list[int], *, security=PUBLIC, parameters=(), body=None, tag="",
    description="",
) -> dict:  # fmt: skip
    operation = {"summary": summary, "tags": [tag], "security": security, "parameters": list(parameters)}
    if description:
        operation["description"] = description
    # Every operation refuses a query parameter it does not take: 400 is always possible.
    operation["responses"] = responses | {str(code): error(code) for code in sorted({400, *errors})}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def json_body(schema: str) -> dict:
    return {"application/json": {"schema": ref(schema)}}


def paths() -> dict:
    read = [400, 401, 404]
    write = [400, 401, 403, 404, 413, 415, 422]
    campaigns = "advocacy campaigns"
    found = {
        "/openapi.json": {
            "get": op(
                "This document.",
                {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
                [401],
                tag="meta",
            )
        },
        "/advocacy_campaigns": {
            "get": op(
                "Published and closed actions (drafts too, with a read or write token), newest change first.",
                ok("AdvocacyCampaignPage", "A page of actions.", cached=True, headers=LINK),
                read,
                parameters=[
                    *PAGING,
                    MODIFIED_SINCE,
                    param(
                        "status",
                        "query",
                        {"type": "string", "enum": Action.Status.values},
                        "Only actions in this status.",
                    ),
                    IF_NONE_MATCH,
                ],
                tag=campaigns,
            ),
            "post": op(
                "A draft action from a UA document (`uadesk ingest --json`, e.g. another desk's export).",
                ok("AdvocacyCampaign", "The new draft.", status=201, headers={"Location": {"schema": STR}}),
                [*write, 409],
                security=TOKEN,
                body=json_body("UADocument"),
                tag=campaigns,
                parameters=[
                    param(
                        "letter_language",
                        "query",
                        {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
                        "The model letter's language (en).",
                    )
                ],
            ),
        },
        "/advocacy_campaigns/{slug}": {
            "get": op(
                "One action with its targets, letters and count of appeals.",
                ok("AdvocacyCampaign", "The action.", cached=True),
                read,
                parameters=[SLUG, IF_NONE_MATCH],
                tag=campaigns,
            ),
            "patch": op(
                "Changes an action's fields; the action's own rules apply.",
                ok("AdvocacyCampaign", "The action as changed."),
                write,
                security=TOKEN,
                parameters=[SLUG],
                body=json_body("AdvocacyCampaignPatch"),
                tag=campaigns,
            ),
        },
        "/advocacy_campaigns/{slug}/publish": {
            "post": op(
                "Publishes a draft that has targets, a letter and a deadline not passed.",
                ok("AdvocacyCampaign", "The published action."),
                [401, 403, 404, 409, 422],
                security=TOKEN,
                parameters=[SLUG],
                tag=campaigns,
            ),
        },
        "/advocacy_campaigns/{slug}/export": {
            "get": op(
                "The action as a UA document (`uadesk ingest --json`), for another desk to create it.",
                ok("UADocument", "The document.", cached=True),
                read,
                parameters=[SLUG, IF_NONE_MATCH],
                tag=campaigns,
            ),
        },
        "/advocacy_campaigns/{slug}/outreaches": {
            "get": op(
                "Counted appeals (sent, sent by the supporter, posted): total, by channel, by target.",
                ok("Outreaches", "The counts.", cached=True),
                read,
                parameters=[SLUG, IF_NONE_MATCH],
                tag=campaigns,
            ),
        },
        "/advocacy_campaigns/{slug}/mailings": {
            "get": op(
                "The action's mailings to the network's members, each with its report: recipients, sent, "
                "bounced, left the network, and who acted on the desk and off it, by channel (read scope).",
                ok("Mailings", "The mailings.", cached=True),
                [400, 401, 403, 404],
                security=TOKEN,
                parameters=[SLUG, IF_NONE_MATCH],
                tag=campaigns,
            ),
        },
        "/advocacy_campaigns/{slug}/appeals": {
            "get": op(
                "Counted appeals with the writers' names and email addresses (personal_data scope; audited).",
                ok("AppealPage", "A page of appeals.", cached=True, headers=LINK),
                [400, 401, 403, 404],
                security=TOKEN,
                parameters=[SLUG, *PAGING, MODIFIED_SINCE, IF_NONE_MATCH],
                tag=campaigns,
            ),
        },
        "/advocacy_campaigns/{slug}/targets": {
            "get": op(
                "The action's own targets.",
                ok("TargetList", "The targets.", cached=True),
                read,
                parameters=[SLUG, IF_NONE_MATCH],
                tag="targets",
            ),
            "post": op(
                "Adds one target (JSON), or one per CSV row (text/csv, all or none; columns: "
                + ", ".join(CSV_COLUMNS)
                + "; several values in a cell separated by | or line breaks; role defaults to copy).",
                {
                    "201": {
                        "description": "The new target (JSON) or targets (CSV).",
                        "content": {
                            "application/json": {"schema": {"oneOf": [ref("Target"), ref("TargetList")]}}
                        },
                        "headers": {"ETag": {"schema": STR}},
                    }
                },
                write,
                security=TOKEN,
                parameters=[SLUG],
                body={"application/json": {"schema": ref("TargetInput")}, "text/csv": {"schema": STR}},
                tag="targets",
            ),
        },
        "/advocacy_campaigns/{slug}/targets/{target_id}": {
            "get": op(
                "One target.",
                ok("Target", "The target.", cached=True),
                read,
                parameters=[SLUG, TARGET_ID, IF_NONE_MATCH],
                tag="targets",
            ),
            "patch": op(
                "Changes a target; its rules (email, fax, country, language) apply.",
                ok("Target", "The target as changed."),
                write,
                security=TOKEN,
                parameters=[SLUG, TARGET_ID],
                body=json_body("TargetPatch"),
                tag="targets",
                description=(
                    "Needs the write scope. Adding or changing an email address or fax number of a target "
                    "supporters can write to (its action is published or closed) or have written to also "
                    "needs the target_addresses scope (403 without it, and nothing changes); the letters "
                    "still waiting for that target are then held until staff approve them in the review "
                    "queue. Removing an address needs no more than write."
                ),
            ),
            "delete": op(
                "Removes a target nobody has written to yet.",
                ok("Deleted", "Removed."),
                [401, 403, 404, 409],
                security=TOKEN,
                parameters=[SLUG, TARGET_ID],
                tag="targets",
            ),
        },
    }
    found["/actions/{action_id}/feedback"] = {
        "get": op(
            "The feedback report (read scope): each section's last report on the action and this desk's "
            "own counts, the totals in all, and the counts by section country, channel and official.",
            ok("Feedback", "The report.", cached=True),
            [400, 401, 403, 404],
            security=TOKEN,
            parameters=[ACTION_ID, IF_NONE_MATCH],
            tag="feedback",
            description=(
                "Counts only, no personal data. A section's new report replaces its earlier one, never adds "
                "to it. Appeals on a desk are those made on the section's desk (or this one); off a desk, "
                'members\' "I have acted" from a mailing. this_desk is counted as it is asked for '
                "(counted_at null)."
            ),
        )
    }
    found |= {
        "/petitions": {
            "get": op(
                "Petitions (of drafts too, for a token with read or write).",
                ok("PetitionPage", "A page of petitions.", cached=True, headers=LINK),
                read,
                parameters=[*PAGING, IF_NONE_MATCH],
                tag="petitions",
            ),
            "post": op(
                "Creates a petition of an action or of a campaign.",
                ok("Petition", "The new petition.", status=201, headers={"Location": {"schema": STR}}),
                [*write, 409],
                security=TOKEN,
                body=json_body("PetitionInput"),
                tag="petitions",
            ),
        },
        "/petitions/{slug}": {
            "get": op(
                "One petition with its count of confirmed signatures.",
                ok("Petition", "The petition.", cached=True),
                read,
                parameters=[PETITION_SLUG, IF_NONE_MATCH],
                tag="petitions",
            ),
            "patch": op(
                "Changes a petition.",
                ok("Petition", "The petition as changed."),
                [*write, 409],
                security=TOKEN,
                parameters=[PETITION_SLUG],
                body=json_body("PetitionPatch"),
                tag="petitions",
            ),
        },
        "/petitions/{slug}/signatures": {
            "get": op(
                "Confirmed signatures with names and email addresses (personal_data scope; audited).",
                ok("SignaturePage", "A page of signatures.", cached=True, headers=LINK),
                [400, 401, 403, 404],
                security=TOKEN,
                parameters=[PETITION_SLUG, *PAGING, MODIFIED_SINCE, IF_NONE_MATCH],
                tag="petitions",
            ),
        },
    }
    return found


def openapi_document(request) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "uadesk API",
            "version": "1",
            "description": (
                "Urgent Actions as OSDI advocacy campaigns, their targets, counts of appeals (outreaches), "
                "petitions and signatures. Reading published actions needs no token; a staff token (created "
                "in the staff desk) has the scopes read, write, personal_data and target_addresses "
                "(with write: change where a target's letters go). Errors are "
                '{"error": {"code", "message", "field"}}.'
            ),
        },
        "servers": [{"url": request.build_absolute_uri("/api")}],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer uad_...",
                }
            },
        },
    }
