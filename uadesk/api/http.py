"""The API's HTTP plumbing: bearer tokens and scopes, JSON bodies and errors, ETags, pagination."""

import datetime
import functools
import hashlib
import json
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from uadesk.staff import audit as audit_log

from .models import ApiToken

log = logging.getLogger(__name__)
PAGE_MAX = 1_000_000
ID_MAX = 2**53  # larger path ids cannot be rows; refused before a database overflows on them


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers=None
) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": str(message), "field": field}}, status=status)
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_error(error: ValidationError) -> ApiError:
    """The first problem a model's clean() found, with its field ("" when it is about the whole object)."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        field = None if field == "__all__" else field
        message = " ".join(str(m) for e in errors for m in e.messages)
    else:
        field, message = None, " ".join(str(m) for m in error.messages)
    return ApiError(422, "invalid", message, field)


def _authenticate(request) -> ApiToken | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, key = header.partition(" ")
    token = ApiToken.authenticate(key.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiError(
            401, "unauthorized", "The token is unknown, expired or revoked.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )  # fmt: skip
    return token


def endpoint(*, params: dict[str, tuple[str, ...]] | None = None, **scopes: str | None):
    """A JSON API view: `@endpoint(GET=None, PATCH="write")` names its methods and the scope each needs
    (None: no token needed); `params={"GET": ("page",)}` the query parameters each method takes, any
    other is refused, so a misspelt filter is an error rather than a silently unfiltered answer.
    Every error, ours or not, leaves as a JSON error, never as an HTML page."""
    allowed = ", ".join(scopes)
    params = params or {}

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in scopes:
                    raise ApiError(
                        405, "method_not_allowed", f"Use {allowed} here.", headers={"Allow": allowed}
                    )
                for name in request.GET:
                    if name not in params.get(request.method, ()):
                        raise ApiError(400, "unknown_parameter", f"{name} is not a parameter here.", name)
                request.api_token = _authenticate(request)
                require(request, scopes[request.method])
                response = view(request, *args, **kwargs)
                if scopes[request.method] == "write" and response.status_code < 400:
                    audit(request)  # what changed the desk, as staff changes are logged
                return response
            except ApiError as error:
                return error_response(error.status, error.code, error.message, error.field, error.headers)
            except Http404:
                return error_response(404, "not_found", "Nothing is here.")
            except ValidationError as error:
                problem = validation_error(error)
                return error_response(problem.status, problem.code, problem.message, problem.field)
            except RequestDataTooBig:
                return error_response(413, "too_large", "The request body is too large.")
            except Exception:
                log.exception("API error on %s %s", request.method, request.path)
                return error_response(500, "server_error", "Something went wrong on the desk; it is logged.")

        return wrapper

    return decorate


def require(request, scope: str | None) -> None:
    if scope is None:
        return
    token = request.api_token
    if token is None:
        raise ApiError(
            401, "unauthorized", f"This needs a token with the {scope} scope.",
            headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    if not token.has_scope(scope):
        raise ApiError(403, "forbidden", f"This token lacks the {scope} scope.")


def has_scope(request, scope: str) -> bool:
    return request.api_token is not None and request.api_token.has_scope(scope)


def audit(request, records: int | None = None) -> None:
    """Every answer with personal data (uadesk.api.read, with how many records went out), and every
    change made through the API (uadesk.api.changed), is in the audit log: which token, method and path."""
    token = request.api_token
    reading = request.method in ("GET", "HEAD")
    detail = {"method": request.method, "path": request.get_full_path()[:500], "token": token.pk}
    if reading:
        detail["records"] = records or 0
    audit_log.log(
        "uadesk.api.read" if reading else "uadesk.api.changed", via=audit_log.Via.API, actor=str(token),
        **detail,
    )  # fmt: skip


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def json_ok(request, data, *, status: int = 200, personal: bool = False, headers=None) -> HttpResponse:
    """A JSON answer with an ETag; a GET whose If-None-Match names it gets 304 and no body.

    Public reads may be cached by anyone for a minute; what a token read is the token holder's only,
    and personal data is never stored by a cache at all."""
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = _etag(body)
    if personal:
        cache = "no-store"
    elif request.api_token is not None:
        cache = "private, no-cache"
    else:
        cache = "public, max-age=60"
    if request.method == "GET" and status == 200 and _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, status=status, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = cache
    response["Vary"] = "Authorization"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def body_bytes(request, *content_types: str) -> tuple[str, bytes]:
    """The request body and which of the accepted types it is: 415 for another type, 413 if too large."""
    content_type = request.content_type or ""
    if content_type not in content_types:
        raise ApiError(415, "unsupported_media_type", f"Send {' or '.join(content_types)}.")
    body = request.body
    if len(body) > settings.API_MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"At most {settings.API_MAX_BODY_BYTES} bytes.")
    return content_type, body


def json_body(request) -> dict:
    _, body = body_bytes(request, "application/json")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The body is not JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "The body must be a JSON object.")
    return data


def int_param(request, name: str, default: int, low: int, high: int) -> int:
    value = request.GET.get(name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ApiError(400, "invalid_parameter", f"{name} is a whole number from {low} to {high}.", name)
    return int(value)


def datetime_param(request, name: str) -> datetime.datetime | None:
    value = request.GET.get(name)
    if value is None:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)):
            moment = datetime.datetime.combine(day, datetime.time.min)
        # In UTC: PostgreSQL takes offsets up to 15:59 only, ISO 8601 up to 23:59.
        moment = (
            moment.replace(tzinfo=moment.tzinfo or datetime.UTC).astimezone(datetime.UTC) if moment else None
        )
    except (ValueError, OverflowError):  # no such day, or a moment outside years 1 to 9999 once in UTC
        moment = None
    if moment is None:
        raise ApiError(400, "invalid_parameter", f"{name} is a date or date-time (ISO 8601).", name)
    return moment


def choice_param(request, name: str, choices: list[str]) -> str | None:
    value = request.GET.get(name)
    if value is not None and value not in choices:
        raise ApiError(400, "invalid_parameter", f"{name} is one of {', '.join(choices)}.", name)
    return value


def check_id(value: int) -> int:
    if value > ID_MAX:
        raise Http404
    return value


def page(request, queryset, *, embed: str, render) -> tuple[dict, dict]:
    """One page of a list, OSDI style, with next and previous links in the body and in a Link header."""
    number = int_param(request, "page", 1, 1, PAGE_MAX)
    per_page = int_param(request, "per_page", 25, 1, settings.API_PAGE_SIZE_MAX)
    total = queryset.count()
    rows = list(queryset[(number - 1) * per_page : number * per_page])
    pages = max(1, -(-total // per_page))

    def url(n: int) -> str:
        query = request.GET.copy()
        query["page"], query["per_page"] = str(n), str(per_page)
        return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(query.items()))

    links = {"self": url(number), "next": url(number + 1) if number < pages else None}
    links["prev"] = url(number - 1) if 1 < number <= pages + 1 else None
    data = {
        "total_records": total,
        "total_pages": pages,
        "page": number,
        "per_page": per_page,
        "_links": links,
        "_embedded": {embed: [render(row) for row in rows]},
    }
    link_header = ", ".join(f'<{links[rel]}>; rel="{rel}"' for rel in ("next", "prev") if links[rel])
    return data, ({"Link": link_header} if link_header else {})
