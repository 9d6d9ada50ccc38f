"""The server log never holds a working secret: a refused request to a supporter's data page is
logged by its view's name and status, not by its path, which carries the page's token."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import free_port, request, web_server
from uadesk.management.commands.run import web_server_args
from uadesk.supporters.links import token_for
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_log():
    """What the desk's own log handler (settings.LOGGING's "console", on the root logger) writes."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def token_parts(token: str) -> list[str]:
    # payload:timestamp:signature; the payload alone names the row, the signature opens it.
    return [token, *token.split(":")]


def test_refused_requests_to_a_data_page_log_no_part_of_its_token(server_log, caplog):
    supporter = Supporter.for_email("ana@example.org")
    token = token_for(supporter)
    erase = reverse("supporters:erase", args=[token])
    # 400: a POST to erase without the confirmation.
    assert Client().post(erase).status_code == 400
    # 403: the same without the CSRF token (a browser's form always has it).
    assert Client(enforce_csrf_checks=True).post(erase, {"confirm": "yes"}).status_code == 403
    # 404: a token one character short, and a path under the token that has no page.
    assert Client().get(reverse("supporters:data", args=[token[:-1]])).status_code == 404
    assert Client().get(f"/en/supporters/data/{token}/nothing-here/").status_code == 404
    logged = server_log.getvalue()
    captured = caplog.text
    # The lines are there, by view and status.
    assert "supporters:erase" in logged and "400" in logged and "403" in logged, logged
    assert "supporters:data" in logged and "404" in logged, logged
    for part in token_parts(token):
        assert part not in logged, logged
        assert part not in captured, captured
    assert Supporter.objects.filter(pk=supporter.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_web_server_as_uadesk_run_starts_it_logs_no_token(process_env, tmp_path):
    """The server's own output (granian's, and Django's through settings.LOGGING) in a real process."""
    supporter = Supporter.for_email("ana@example.org")
    token = token_for(supporter)
    port = free_port()
    with (tmp_path / "server.log").open("w+") as log:
        with web_server(web_server_args("127.0.0.1", port, workers=1), process_env, port, output=log):
            erase = reverse("supporters:erase", args=[token])
            assert request("POST", port, erase, {"confirm": "yes"}).status == 403  # no CSRF cookie
            assert request("GET", port, reverse("supporters:data", args=[token[:-1]])).status == 404
            assert request("GET", port, reverse("supporters:data", args=[token])).status == 200
        log.seek(0)
        logged = log.read()
    assert "supporters:erase (403)" in logged and "supporters:data (404)" in logged, logged
    for part in token_parts(token):
        assert part not in logged, logged
