"""The OpenAPI document: every route is in it with exactly its methods, and the bearer scheme is declared."""

import re

import pytest

from uadesk.api import urls

pytestmark = pytest.mark.django_db


def test_every_route_is_documented_with_exactly_its_methods(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    routes = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern)) for p in urls.urlpatterns[:-1]}
    assert routes == set(document["paths"])
    for path, operations in document["paths"].items():
        url = "/api" + path.replace("{slug}", "x").replace("{target_id}", "1").replace("{action_id}", "1")
        # A method a view does not take is answered 405 with the ones it does take.
        refused = client.generic("OPTIONS", url)
        assert refused.status_code == 405
        assert set(refused["Allow"].lower().split(", ")) == set(operations), path


def test_the_target_addresses_scope_is_documented(client):
    document = client.get("/api/openapi.json").json()
    assert "target_addresses" in document["info"]["description"]
    patch = document["paths"]["/advocacy_campaigns/{slug}/targets/{target_id}"]["patch"]
    assert "target_addresses" in patch["description"] and "403" in patch["responses"]
