"""The office desk taking a section desk's report: kept, replaced, never added to; anything forged,
replayed, stale or malformed refused with a JSON error and nothing changed."""

import datetime
import http.client
import json
import threading
import time
import urllib.parse
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from uadesk.actions.models import Action, Localisation, Target
from uadesk.federation import signing
from uadesk.federation.models import SectionAccess, SectionReport, SeenNonce
from uadesk.federation.receive import MAX_BODY_BYTES, nonces_forget
from uadesk.staff.models import AuditEntry

from .report_fixtures import (
    PATH,
    access_make,
    kept,
    lines_of,
    office_target,
    post,
    report_payload,
    section_make,
    send,
    signed_headers,
)


@pytest.fixture
def desk(open_action):
    """The office desk with one section's access, and the report that section sent before."""
    access, token = access_make(section_make())
    other = Action.objects.create(
        slug="another-case", title="Another case", summary="Elsewhere.", status=Action.Status.PUBLISHED,
        deadline=open_action.deadline,
    )  # fmt: skip
    Target.objects.create(action=other, name="Minister of Y")
    return SimpleNamespace(access=access, token=token, action=open_action, other=other)


def moment(**delta) -> str:
    return (timezone.now() + datetime.timedelta(**delta)).isoformat()


def test_a_report_is_kept_with_its_lines_and_logged(client, desk):
    answer = send(client, desk.token, report_payload(desk.action, final=True))
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"received": True}
    report = SectionReport.objects.get()
    assert (report.section, report.action) == (desk.access.section, desk.action)
    assert (report.final, report.members_mailed, report.signatures, report.appeals) == (True, 1200, 340, 101)
    assert lines_of(report) == [
        ("email", True, 0, "Embassy of X in Y", 9),
        ("email", True, office_target(desk.action).pk, "", 80),
        ("post", False, 0, "", 12),
    ]
    entry = AuditEntry.objects.get(code="uadesk.sectionreport.received")
    assert (entry.via, entry.object_id, entry.detail["appeals"]) == ("api", str(report.pk), 101)
    assert desk.access.prefix in entry.actor and desk.token not in entry.actor


def test_the_same_report_sent_twice_counts_once(client, desk):
    payload = report_payload(desk.action)
    assert send(client, desk.token, payload).status_code == 200
    report = SectionReport.objects.get()
    first = lines_of(report)
    # Sent again (a fresh signature and nonce, as the section's next run does): replaced, not added to.
    assert send(client, desk.token, payload).status_code == 200
    again = SectionReport.objects.get()
    assert (again.pk, again.appeals, lines_of(again)) == (report.pk, 101, first)
    assert (again.members_mailed, again.signatures) == (1200, 340)
    assert again.received_at > report.received_at


def test_a_later_report_replaces_the_earlier_one_whole(client, desk):
    earlier = report_payload(desk.action, counted_at=moment(minutes=-10))
    assert send(client, desk.token, earlier).status_code == 200
    later = report_payload(
        desk.action, counted_at=moment(minutes=-1), members_mailed=1300, final=True,
        counts=[{"channel": "fax", "on_desk": True, "target_id": None, "official": "Embassy", "count": 3}],
    )  # fmt: skip
    assert send(client, desk.token, later).status_code == 200
    report = SectionReport.objects.get()
    assert (report.members_mailed, report.final, report.appeals) == (1300, True, 3)
    assert lines_of(report) == [("fax", True, 0, "Embassy", 3)]


def test_a_report_counted_before_the_one_kept_is_stale_and_changes_nothing(client, desk):
    later = report_payload(desk.action, counted_at=moment(minutes=-1))
    assert send(client, desk.token, later).status_code == 200
    before = kept()
    answer = send(client, desk.token, report_payload(desk.action, counted_at=moment(minutes=-5)))
    assert answer.status_code == 409
    assert answer.json()["error"] == {
        "code": "stale",
        "message": "A report counted later is kept already: this one changes nothing.",
        "field": "counted_at",
    }
    assert kept() == before


def _signed(desk, payload=None, *, body=None, **signature):
    body = json.dumps(payload or report_payload(desk.action)).encode() if body is None else body
    return body, signed_headers(body, desk.token, **signature)


def _with(desk, **changes):
    return _signed(desk, report_payload(desk.action, **changes))


def _with_line(desk, **changes):
    line = report_payload(desk.action)["counts"][0] | changes
    return _signed(desk, report_payload(desk.action, counts=[line]))


def _forged(desk):
    return _signed(desk, key=Ed25519PrivateKey.generate())


def _unknown_token(desk):
    body, headers = _signed(desk)
    return body, headers | {"Authorization": "Bearer uadf_" + "x" * 43}


def _revoked(desk):
    desk.access.revoke()
    return _signed(desk)


def _feed_only(desk):
    SectionAccess.objects.filter(pk=desk.access.pk).update(scope_report=False)
    return _signed(desk)


def _no_token(desk):
    body, headers = _signed(desk)
    del headers["Authorization"]
    return body, headers


def _no_signature(desk):
    body, headers = _signed(desk)
    del headers[signing.HEADER]
    return body, headers


def _changed_after_signing(desk):
    body, headers = _signed(desk)
    return body.replace(b'"count": 80', b'"count": 8000'), headers


def _signed_for_another_path(desk):
    return _signed(desk, target="/federation/feed")


def _too_old(desk):
    return _signed(desk, created=int(time.time()) - signing.MAX_AGE_SECONDS - 5)


def _sections_own_target(desk):
    localisation = Localisation.objects.create(action=desk.action, section=desk.access.section)
    embassy = Target.objects.create(action=desk.action, name="Embassy", localisation=localisation)
    return _with_line(desk, target_id=embassy.pk)


def _draft(desk):
    draft = Action.objects.create(slug="draft", title="A draft", summary="Not yet.")
    return _with(desk, action_id=draft.pk, counts=[])


def _missing(name):
    def make(desk):
        payload = report_payload(desk.action)
        del payload[name]
        return _signed(desk, payload)

    return make


def _too_large(desk):
    payload = report_payload(desk.action)
    payload["padding"] = "x" * MAX_BODY_BYTES
    return _signed(desk, payload)


def top(**changes):
    return lambda desk: _with(desk, **changes)


def line(**changes):
    return lambda desk: _with_line(desk, **changes)


def raw(body: bytes):
    return lambda desk: _signed(desk, body=body)


BAD_SIGNATURE = (401, "bad_signature", signing.HEADER)
UNAUTHORIZED = (401, "unauthorized", None)
UNKNOWN = (404, "unknown_action", "action_id")
NOT_JSON = (400, "invalid", None)


def invalid(field: str) -> tuple:
    return 400, "invalid", field


REFUSED = {
    "signed by another desk's key": (_forged, *BAD_SIGNATURE),
    "a token nobody was given": (_unknown_token, *UNAUTHORIZED),
    "a revoked token": (_revoked, *UNAUTHORIZED),
    "a token scoped to the feed only": (_feed_only, 403, "forbidden", None),
    "no token": (_no_token, *UNAUTHORIZED),
    "no signature": (_no_signature, *BAD_SIGNATURE),
    "the body changed after signing": (_changed_after_signing, *BAD_SIGNATURE),
    "signed for another path": (_signed_for_another_path, *BAD_SIGNATURE),
    "signed too long ago": (_too_old, *BAD_SIGNATURE),
    "an action that does not exist": (top(action_id=2**40), *UNKNOWN),
    "a draft action": (_draft, *UNKNOWN),
    "another action's official": (
        lambda d: _with_line(d, target_id=office_target(d.other).pk), *invalid("counts.0.target_id")
    ),
    "a section's own official by id": (_sections_own_target, *invalid("counts.0.target_id")),
    "an official that does not exist": (line(target_id=2**40), *invalid("counts.0.target_id")),
    "not JSON": (raw(b'{"action_id": 1,'), *NOT_JSON),
    "not UTF-8": (raw(b'{"official": "\xff"}'), *NOT_JSON),
    "a JSON list": (raw(b"[]"), *NOT_JSON),
    "a number of 5000 digits": (raw(b'{"action_id": ' + b"9" * 5000 + b"}"), *NOT_JSON),
    "a negative count": (line(count=-1), *invalid("counts.0.count")),
    "a count too large": (line(count=10**40), *invalid("counts.0.count")),
    "a count with a fraction": (line(count=1.5), *invalid("counts.0.count")),
    "true as a count": (line(count=True), *invalid("counts.0.count")),
    "a count as text": (line(count="80"), *invalid("counts.0.count")),
    "negative members mailed": (top(members_mailed=-5), *invalid("members_mailed")),
    "signatures as null": (top(signatures=None), *invalid("signatures")),
    "no signatures": (_missing("signatures"), *invalid("signatures")),
    "no counted_at": (_missing("counted_at"), *invalid("counted_at")),
    "the action's id as text": (lambda d: _with(d, action_id=str(d.action.pk)), *invalid("action_id")),
    "final as text": (top(final="yes"), *invalid("final")),
    "a channel nobody has": (line(channel="pigeon"), *invalid("counts.0.channel")),
    # Only a letter on the desk is sent from the supporter's own mail app; "I have acted" has no such.
    "mailto off the desk": (line(channel="mailto", on_desk=False), *invalid("counts.0.channel")),
    "on_desk as 1": (line(on_desk=1), *invalid("counts.0.on_desk")),
    "an official of two lines": (line(target_id=None, official="A\nB"), *invalid("counts.0.official")),
    "an official too long": (line(target_id=None, official="E" * 301), *invalid("counts.0.official")),
    "a lone surrogate": (line(official="\ud800"), *invalid("counts.0.official")),
    "a line that is no object": (top(counts=[5]), *invalid("counts.0")),
    "counts as an object": (top(counts={}), *invalid("counts")),
    "too many lines": (top(counts=[{"channel": "post", "on_desk": False, "target_id": None, "official": "",
                                    "count": 1}] * 2001), *invalid("counts")),
    "counted_at without its offset": (top(counted_at="2026-12-05T10:00:00"), *invalid("counted_at")),
    "counted_at no date": (top(counted_at="yesterday"), *invalid("counted_at")),
    "counted_at on no day": (top(counted_at="2026-02-30T10:00:00Z"), *invalid("counted_at")),
    # Kept, it would make every true report after it stale for a year.
    "counted_at a year ahead": (lambda d: _with(d, counted_at=moment(days=365)), *invalid("counted_at")),
    "a body over 1 MB": (_too_large, 413, "too_large", None),
}  # fmt: skip


@pytest.mark.parametrize("make, status, code, field", list(REFUSED.values()), ids=list(REFUSED))
def test_a_refused_report_is_a_json_error_and_changes_nothing(client, desk, make, status, code, field):
    # The section's earlier report, which a refused one must leave whole.
    earlier = report_payload(desk.action, counted_at=moment(minutes=-30))
    assert send(client, desk.token, earlier).status_code == 200
    before = kept()
    body, headers = make(desk)
    answer = post(client, body, headers)
    assert (answer.status_code, answer["Content-Type"]) == (status, "application/json"), answer.content
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert kept() == before


def test_only_json_is_taken_and_only_by_post(client, desk):
    body, headers = _signed(desk)
    answer = post(client, body, headers, content_type="text/plain")
    assert (answer.status_code, answer.json()["error"]["code"]) == (415, "unsupported_media_type")
    answer = client.get(PATH, headers=headers)
    assert (answer.status_code, answer["Allow"]) == (405, "POST")
    assert answer.json()["error"]["code"] == "method_not_allowed"
    assert not SectionReport.objects.exists()


def test_a_large_body_is_refused_before_it_is_read(client, desk):
    # The length announced is enough: the desk does not read a body it would refuse.
    body, headers = _signed(desk)
    answer = client.generic(
        "POST", PATH, body, content_type="application/json", headers=headers,
        CONTENT_LENGTH=str(MAX_BODY_BYTES + 1),
    )  # fmt: skip
    assert (answer.status_code, answer.json()["error"]["code"]) == (413, "too_large")
    assert not SeenNonce.objects.exists() and not SectionReport.objects.exists()


def raw_post(url: str, body: bytes, headers: dict):
    """The request as the bytes go over a connection of its own: sent twice, they are the same twice."""
    address = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_again_is_refused_as_replayed(live_server, desk):
    body, headers = _signed(desk)
    assert raw_post(live_server.url, body, headers) == (200, {"received": True})
    before = kept()
    status, answer = raw_post(live_server.url, body, headers)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (409, "replayed", signing.HEADER)
    assert kept() == before


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_report_sent_at_once_count_once(live_server, desk):
    payload = report_payload(desk.action)
    requests = [_signed(desk, payload) for _ in range(4)]  # each its own nonce, as a retry would have
    start, answers = threading.Barrier(len(requests)), []

    def send_one(body, headers):
        start.wait()
        answers.append(raw_post(live_server.url, body, headers))

    threads = [threading.Thread(target=send_one, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in answers] == [200] * len(requests), answers
    report = SectionReport.objects.get()
    assert (report.appeals, report.counts.count()) == (101, 3)


def test_nonces_are_forgotten_once_their_signatures_could_not_pass_anyway(desk):
    now = timezone.now()
    eleven_ago, nine_ago = (now - datetime.timedelta(minutes=n) for n in (11, 9))
    old = SeenNonce.objects.create(access=desk.access, nonce="a" * 32, seen_at=eleven_ago)
    young = SeenNonce.objects.create(access=desk.access, nonce="b" * 32, seen_at=nine_ago)
    assert nonces_forget(now) == 1
    assert list(SeenNonce.objects.values_list("pk", flat=True)) == [young.pk]
    assert not SeenNonce.objects.filter(pk=old.pk).exists()
