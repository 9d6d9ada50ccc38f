"""A connection the database server drops is replaced: the next statement, and a view met by the cut before
it wrote anything, run on a new one. SQLite has no connection to lose: the tests that need a real cut run on
PostgreSQL only, and those of the views fail SQLite's next statement as psycopg fails it."""

import uuid

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from uadesk.appeals.models import Appeal
from uadesk.database import connection_lost
from uadesk.supporters.models import Erasure

pytestmark = pytest.mark.django_db(transaction=True)


def end_connection():
    """Ends this process's own connection from outside, as a server restart or a failover would."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def cut():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no connection to cut")
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


@pytest.fixture
def lose_connection():
    """Something that loses this process's connection: on PostgreSQL the server ends it; SQLite has no
    connection to lose, so its next statement fails as psycopg fails when the server is gone."""
    if connection.vendor == "postgresql":
        return end_connection

    def lost(execute, sql, params, many, context):
        context["connection"].execute_wrappers.remove(lost)
        cause = psycopg.OperationalError("server closed the connection unexpectedly")
        raise OperationalError(*cause.args) from cause

    return lambda: connection.execute_wrappers.append(lost)


@pytest.fixture
def write_then_lose(lose_connection):
    from tests import database_urls

    database_urls.RUNS.clear()
    database_urls.CUT[:] = [lose_connection]
    yield database_urls.RUNS
    database_urls.CUT.clear()


@pytest.mark.urls("tests.database_urls")
def test_a_view_that_committed_then_lost_its_connection_is_not_run_again(write_then_lose):
    response = Client(raise_request_exception=False).get("/write-then-lose?cut=after-commit")
    assert Erasure.objects.count() == 1
    assert write_then_lose == ["after-commit"]
    assert response.status_code == 500  # the error page, as for any failure


@pytest.mark.urls("tests.database_urls")
def test_a_view_keyed_by_its_request_is_run_again_after_it_wrote_and_writes_once(write_then_lose):
    """A view marked rerun_safe (the compose form: its appeals are keyed by the form's one-time key)."""
    response = Client().get("/write-once-then-lose?key=form-1")
    assert response.content == b"1 rows"
    assert write_then_lose == ["form-1", "form-1"]


@pytest.mark.urls("tests.database_urls")
def test_a_view_whose_transaction_was_lost_is_run_again(write_then_lose):
    response = Client().get("/write-then-lose?cut=in-transaction")
    assert response.content == b"1 rows"  # the first run's row went with its transaction
    assert write_then_lose == ["in-transaction", "in-transaction"]


def test_a_signature_whose_connection_was_lost_after_it_was_taken_is_thanked_once(
    client, petition, lose_connection, monkeypatch
):
    """The signing form is rerun_safe: run again after its form was committed, it must answer as the
    first run would have, not refuse the challenge that run spent (the supporter would sign twice)."""
    from tests.petitions.conftest import form_data
    from uadesk.petitions import views
    from uadesk.petitions.models import Submission

    def kick_then_lose():
        lose_connection()
        connection.cursor().execute("SELECT 1")  # left open, as tests/database_urls.py says why

    monkeypatch.setattr(views, "submissions_kick", kick_then_lose)
    response = client.post(petition.get_absolute_url(), form_data(client, petition))
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("petitions:thanks", kwargs={"slug": petition.slug}))
    assert Submission.objects.count() == 1


@pytest.fixture
def then_lose(lose_connection, monkeypatch):
    """Replaces a view module's service with one that does its work, then loses the connection, or with
    `before`, loses it as the service begins; once: the view's second run goes through."""

    def install(module, name, *, before=False):
        work, lost = getattr(module, name), []

        def lose_once():
            if not lost:
                lost.append(True)
                lose_connection()
                connection.cursor().execute("SELECT 1")  # left open, as tests/database_urls.py says why

        def work_then_lose(*args, **kwargs):
            if before:
                lose_once()
            result = work(*args, **kwargs)
            lose_once()
            return result

        monkeypatch.setattr(module, name, work_then_lose)

    return install


def test_a_reminder_asked_as_the_connection_is_lost_is_set_once_and_confirmed(client, open_action, then_lose):
    from uadesk.actions.models import Reminder
    from uadesk.supporters import views

    then_lose(views, "reminder_ask")
    response = client.post(
        reverse("supporters:remind", args=[open_action.slug]), {"email": "ada@example.org"}
    )
    assert response.status_code == 200 and b"We will remind you" in response.content
    assert Reminder.objects.filter(action=open_action).count() == 1


def test_a_data_link_asked_as_the_connection_is_lost_is_sent_once(client, then_lose):
    from uadesk.delivery.models import Message
    from uadesk.supporters import views

    then_lose(views, "data_link_queue", before=True)  # the rate limits counted, the message not yet made
    response = client.post(reverse("supporters:link"), {"email": "ada@example.org"})
    assert response.status_code == 302 and response["Location"].endswith(reverse("supporters:link_sent"))
    assert Message.objects.filter(kind="data-link").count() == 1


def test_a_link_asked_for_as_its_message_committed_and_the_connection_was_lost_goes_once(client, cut):
    """The worst moment of a cut: the server committed the message's INSERT, the answer never came. The
    view runs again on a new connection, finds the first run's message by the request's key, adds none."""
    from uadesk.delivery.models import Message

    def committed_then_lost(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "delivery_message"'):
            context["connection"].execute_wrappers.remove(committed_then_lost)
            cause = psycopg.OperationalError("server closed the connection unexpectedly")
            raise OperationalError(*cause.args) from cause
        return result

    connection.ensure_connection()
    connection.execute_wrappers.append(committed_then_lost)
    try:
        response = client.post(reverse("supporters:link"), {"email": "ada@example.org"})
    finally:
        if committed_then_lost in connection.execute_wrappers:
            connection.execute_wrappers.remove(committed_then_lost)
    assert response.status_code == 302 and response["Location"] == reverse("supporters:link_sent")
    assert Message.objects.filter(kind=Message.Kind.DATA_LINK).count() == 1


def test_a_confirmation_whose_answer_was_lost_after_it_committed_shows_what_it_confirmed(
    client, open_action, then_lose, settings
):
    """The confirm button committed, then the connection went: the view's second run finds the link
    spent by the first and shows the confirmed letters, instead of an error or "this link was used"."""
    from uadesk.appeals import views
    from uadesk.appeals.models import EmailConfirmation

    settings.APPEAL_RATE_PER_ADDRESS = settings.APPEAL_RATE_PER_NETWORK = 0
    xi = open_action.targets.get(name="Xi Jinping")
    key = str(uuid.uuid4())
    form = {
        "key": key, "targets": [xi.pk], "language": "en", "channel": "email", "step": "send",
        "body": "Please release everyone detained in Xinjiang.", "name": "Ada Lovelace",
        "email": "ada@example.org",
    }  # fmt: skip
    assert client.post(reverse("appeals:compose", kwargs={"slug": open_action.slug}), form).status_code == 302
    token = EmailConfirmation.objects.get(submission=key).new_link_token()

    then_lose(views, "appeals_confirm")
    response = client.post(reverse("appeals:confirm_email", kwargs={"token": token}))
    page = response.content.decode()
    assert response.status_code == 200 and "your email is confirmed" in page
    assert "<strong>Xi Jinping</strong>: Being sent" in page
    [appeal] = Appeal.objects.filter(submission=key)
    assert appeal.status == Appeal.Status.QUEUED and appeal.supporter is not None
    assert not EmailConfirmation.objects.waiting().exists()
