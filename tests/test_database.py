"""A connection the database server drops is replaced: the next statement, and a view met by the cut, run
on a new one. PostgreSQL only: SQLite has no connection to lose."""

import uuid

import psycopg
import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from uadesk.appeals.models import Appeal
from uadesk.database import connection_lost

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cut():
    """Ends this process's own connection from outside, as a server restart or a failover would."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no connection to cut")

    def end_connection():
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
            dbname=settings["NAME"], autocommit=True,
        ) as other:  # fmt: skip
            other.execute("SELECT pg_terminate_backend(%s)", [pid])

    return end_connection


def test_the_statement_after_a_cut_runs_on_a_new_connection(cut):
    cut()
    with pytest.raises(OperationalError) as lost:
        Appeal.objects.count()
    assert connection_lost(lost.value)
    assert Appeal.objects.count() == 0


def test_a_statement_the_server_refuses_is_not_a_lost_connection(cut):
    with pytest.raises(OperationalError) as cancelled, connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1; SELECT pg_sleep(1)")
    assert not connection_lost(cancelled.value)


def test_a_letter_sent_as_the_connection_is_cut_is_stored_once_and_confirmed(
    client, open_action, cut, settings
):
    settings.APPEAL_RATE_PER_ADDRESS = settings.APPEAL_RATE_PER_NETWORK = 0
    compose = reverse("appeals:compose", kwargs={"slug": open_action.slug})
    xi = open_action.targets.get(name="Xi Jinping")
    form = {
        "key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "email", "step": "send",
        "body": "Please release everyone detained in Xinjiang.", "name": "Ada Lovelace",
        "email": "ada@example.org",
    }  # fmt: skip
    cut()
    response = client.post(compose, form)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "appeals:sent", kwargs={"slug": open_action.slug, "key": form["key"]}
    )
    assert Appeal.objects.filter(submission=form["key"]).count() == 1
