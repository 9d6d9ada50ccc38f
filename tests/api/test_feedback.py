"""GET /api/actions/<id>/feedback: the feedback report's figures for a token with the read scope, and no
personal data."""

import json

import pytest

from tests.reports.feedback_fixtures import (
    DE_COUNTED,
    EMBASSY_DE,
    EMBASSY_FR,
    FR_COUNTED,
    MEMBER_EMAIL,
    WRITER,
    own_counts,
    report_send,
    sections_report,
    targets,
)
from uadesk.actions.models import Section

pytestmark = pytest.mark.django_db


def url(action) -> str:
    return f"/api/actions/{action.pk}/feedback"


@pytest.fixture
def reported(seed_action):
    sections_report(seed_action)
    own_counts(seed_action)
    return seed_action


def figures(on_desk: dict, off_desk: dict, signatures: int, members_mailed: int) -> dict:
    """As the API gives a desk's figures: every channel a key, the sums beside them."""
    on = {"email": 0, "mailto": 0, "fax": 0, "post": 0} | on_desk
    off = {"email": 0, "fax": 0, "post": 0} | off_desk
    return {
        "on_desk": on, "off_desk": off, "on_desk_total": sum(on.values()),
        "off_desk_total": sum(off.values()), "appeals": sum(on.values()) + sum(off.values()),
        "signatures": signatures, "members_mailed": members_mailed,
    }  # fmt: skip


def test_a_read_token_gets_every_figure_of_the_report(client, make_token, reported):
    response = client.get(url(reported), headers={"Authorization": make_token("read")})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["action"] == {"id": reported.pk, "slug": reported.slug, "title": reported.title,
                              "ua_number": reported.ua_number, "status": reported.status}  # fmt: skip
    assert (data["sections_reported"], data["final_sections"]) == (2, 1)
    de, fr = data["sections"]
    assert de.pop("received_at") and fr.pop("received_at")
    assert de == {
        "section": "de", "name": "Deutsche Sektion", "country": "DE", "counted_at": DE_COUNTED.isoformat(),
        "final": False, **figures({"email": 89, "fax": 5}, {"post": 12}, 340, 1200),
    }  # fmt: skip
    assert fr == {
        "section": "fr", "name": "Section française", "country": "FR", "counted_at": FR_COUNTED.isoformat(),
        "final": True, **figures({"mailto": 7, "post": 3, "email": 6}, {"email": 4, "fax": 2}, 40, 500),
    }  # fmt: skip
    # This desk is counted as it is asked for: no moment of its own, so the answer's ETag holds still.
    assert data["this_desk"] == {
        "section": None, "name": "This desk", "country": "", "counted_at": None, "received_at": None,
        "final": True, **figures({"email": 3, "mailto": 1, "post": 1}, {"post": 2, "email": 1}, 2, 3),
    }  # fmt: skip
    assert data["total"] == figures(
        {"email": 98, "mailto": 8, "fax": 5, "post": 4}, {"email": 5, "fax": 2, "post": 14}, 382, 1703
    )
    assert [(c["country"], c["name"], c["this_desk"], c["desks"], c["appeals"], c["members_mailed"])
            for c in data["by_country"]] == [
        ("DE", "Germany", False, ["Deutsche Sektion"], 106, 1200),
        ("FR", "France", False, ["Section française"], 22, 500),
        ("", "This desk", True, ["This desk"], 8, 3),
    ]  # fmt: skip
    assert data["by_channel"] == [
        {"channel": "email", "on_desk": 98, "off_desk": 5, "appeals": 103},
        {"channel": "mailto", "on_desk": 8, "off_desk": 0, "appeals": 8},
        {"channel": "fax", "on_desk": 5, "off_desk": 2, "appeals": 7},
        {"channel": "post", "on_desk": 4, "off_desk": 14, "appeals": 18},
    ]
    first, second = targets(reported)
    assert data["by_official"] == [
        {"target_id": first.pk, "name": first.name, "title": first.title, "on_desk": 94, "off_desk": 0,
         "appeals": 94},
        {"target_id": None, "name": EMBASSY_DE, "title": "", "on_desk": 9, "off_desk": 0, "appeals": 9},
        {"target_id": second.pk, "name": second.name, "title": second.title, "on_desk": 6, "off_desk": 0,
         "appeals": 6},
        {"target_id": None, "name": EMBASSY_FR, "title": "", "on_desk": 6, "off_desk": 0, "appeals": 6},
        {"target_id": None, "name": "", "title": "", "on_desk": 0, "off_desk": 21, "appeals": 21},
    ]  # fmt: skip
    body = response.content.decode()
    assert WRITER not in body and MEMBER_EMAIL not in body and "Signer" not in body
    assert response["Cache-Control"] == "private, no-cache"


def test_the_same_figures_answer_not_modified(client, make_token, reported):
    auth = make_token("read")
    first = client.get(url(reported), headers={"Authorization": auth})
    again = client.get(url(reported), headers={"Authorization": auth, "If-None-Match": first["ETag"]})
    assert again.status_code == 304
    # A third section's first report: a figure changed, and so does the ETag.
    italy = Section.objects.create(code="it", name="Sezione italiana", country="IT")
    line = {"channel": "post", "on_desk": False, "target_id": None, "official": "", "count": 1}
    assert report_send(client, italy, reported, counts=[line]).status_code == 200
    changed = client.get(url(reported), headers={"Authorization": auth, "If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed.json()["total"]["appeals"] == 137


def test_the_report_needs_a_token_with_the_read_scope(client, make_token, reported):
    refused = client.get(url(reported))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    for scopes in [("write",), ("personal_data",)]:
        refused = client.get(url(reported), headers={"Authorization": make_token(*scopes)})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden", scopes
    wrong = client.get(url(reported) + "?since=2022-01-01", headers={"Authorization": make_token("read")})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "unknown_parameter"
    posted = client.post(url(reported), headers={"Authorization": make_token("read", "write")})
    assert posted.status_code == 405 and posted["Allow"] == "GET"


def test_an_unknown_action_is_a_json_404(client, make_token, reported):
    auth = {"Authorization": make_token("read")}
    for action_id in [reported.pk + 1000, 2**60]:
        missing = client.get(f"/api/actions/{action_id}/feedback", headers=auth)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_an_action_no_section_reported_on_has_this_desks_counts_only(client, make_token, seed_action):
    own_counts(seed_action)
    data = client.get(url(seed_action), headers={"Authorization": make_token("read")}).json()
    assert (data["sections_reported"], data["sections"]) == (0, [])
    assert data["total"] == {name: data["this_desk"][name] for name in data["total"]}
    assert data["total"]["appeals"] == 8
    assert [c["this_desk"] for c in data["by_country"]] == [True]


def test_a_replaced_report_gives_its_new_figures_never_the_sum(client, make_token, reported):
    first, _second = targets(reported)
    answer = report_send(
        client, Section.objects.get(code="fr"), reported, members_mailed=510, signatures=41, final=True,
        counts=[{"channel": "mailto", "on_desk": True, "target_id": first.pk, "official": "", "count": 9}],
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    data = client.get(url(reported), headers={"Authorization": make_token("read")}).json()
    fr = data["sections"][1]
    assert (fr["name"], fr["on_desk"]["mailto"], fr["appeals"], fr["signatures"], fr["members_mailed"]) == (
        "Section française", 9, 9, 41, 510,
    )  # fmt: skip
    assert data["total"]["appeals"] == 106 + 9 + 8
    assert EMBASSY_FR not in json.dumps(data, ensure_ascii=False)
