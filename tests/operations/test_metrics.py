"""/metrics: refused to strangers, the figures in the Prometheus text format, no personal data."""

import datetime
import re

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tests.conftest import at
from uadesk.delivery.models import Message
from uadesk.network.models import Suppression
from uadesk.operations.figures import Metric, exposition
from uadesk.petitions.models import Signature
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)
SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$'
)
LABEL = re.compile(r'([a-zA-Z_]\w*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """The samples of a Prometheus text exposition, each metric's HELP and TYPE checked to come first."""
    assert text.endswith("\n")
    samples, described = {}, {}
    for line in text.splitlines():
        if line.startswith("# "):
            word, name, rest = line[2:].split(" ", 2)
            assert word in ("HELP", "TYPE"), line
            described.setdefault(name, set()).add(word)
            if word == "TYPE":
                assert rest in ("gauge", "counter"), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        assert described.get(name) == {"HELP", "TYPE"}, f"{name} has no HELP or TYPE before it"
        key = (name, frozenset(LABEL.findall(labels or "")))
        assert key not in samples, f"{line!r} twice"
        samples[key] = float(value)
    return samples


def value(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


def scrape(client, **extra):
    return client.get("/metrics", **extra)


def test_refused_from_another_network_without_a_token(client):
    response = scrape(client, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert b"uadesk_" not in response.content


def test_served_to_loopback_by_default(client):
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    parse(response.content.decode())


def test_a_token_opens_it_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_TOKEN = "a-long-metrics-token-0123456789"
    settings.METRICS_ALLOWED_NETWORKS = []
    assert scrape(client).status_code == 403
    wrong = scrape(client, REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer a-long-metrics-token")
    assert wrong.status_code == 403
    right = scrape(
        client, REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer a-long-metrics-token-0123456789"
    )
    assert right.status_code == 200
    assert b"uadesk_outbox_waiting_messages" in right.content


def test_behind_a_proxy_the_client_address_counts_not_the_proxys(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 403
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200


def test_only_get(client):
    assert client.post("/metrics").status_code == 405


def test_the_figures_match_the_desk(client, petition):
    with at(DAY):
        now = timezone.now()
        for minutes in (10, 5, 1):
            Message.objects.create(
                kind="reminder", ref=minutes, created_at=now - datetime.timedelta(minutes=minutes)
            )
        # Waiting for a retry in an hour: waiting, yet not due.
        Message.objects.create(
            kind="appeal", ref=1, created_at=now - datetime.timedelta(minutes=30),
            next_attempt_at=now + datetime.timedelta(hours=1),
        )  # fmt: skip
        Message.objects.create(kind="appeal", ref=2, status="failed")
        Message.objects.create(kind="appeal", ref=3, status="sent", sent_at=now)
        Suppression.add("a" * 64, Suppression.Reason.HARD_BOUNCE)
        Suppression.add("b" * 64, Suppression.Reason.UNSUBSCRIBED)
        Signature.objects.create(petition=petition, name="A", country="FR", household_place=1)
        Signature.objects.create(
            petition=petition, name="B", country="FR", household_place=2, confirmed_at=now,
            created_at=now - datetime.timedelta(minutes=5),
        )  # fmt: skip
        common = {
            "args_kwargs": {"args": [], "kwargs": {}},
            "task_path": "uadesk.tasks.requeue_interrupted_tasks",
        }
        DBTaskResult.objects.create(backend_name="default", run_after=get_date_max(), **common)
        DBTaskResult.objects.create(
            backend_name="default", run_after=get_date_max(), status="SUCCESSFUL", worker_ids=["w1"],
            started_at=now - datetime.timedelta(seconds=40), finished_at=now - datetime.timedelta(seconds=39),
            **common,
        )  # fmt: skip
    with at(DAY, hour=13):
        samples = parse(scrape(client).content.decode())
    hour = 3600
    assert value(samples, "uadesk_outbox_waiting_messages", kind="reminder") == 3
    assert value(samples, "uadesk_outbox_oldest_waiting_age_seconds", kind="reminder") == hour + 600
    assert value(samples, "uadesk_outbox_oldest_due_age_seconds", kind="reminder") == hour + 600
    assert value(samples, "uadesk_outbox_waiting_messages", kind="appeal") == 1
    assert value(samples, "uadesk_outbox_waiting_messages", kind="webhook") == 0  # every kind, always
    # The retry fell due at 13:00 sharp, the moment of the scrape.
    assert value(samples, "uadesk_outbox_oldest_due_age_seconds", kind="appeal") == 0
    assert value(samples, "uadesk_outbox_messages", kind="appeal", status="failed") == 1
    assert value(samples, "uadesk_outbox_messages", kind="appeal", status="sent") == 1
    assert value(samples, "uadesk_outbox_messages", kind="reminder", status="waiting") == 3
    assert value(samples, "uadesk_suppressions", reason="hard_bounce") == 1
    assert value(samples, "uadesk_suppressions", reason="unsubscribed") == 1
    assert value(samples, "uadesk_signatures", state="confirmed") == 1
    assert value(samples, "uadesk_signatures", state="unconfirmed") == 1
    assert value(samples, "uadesk_task_lag_seconds", queue="default") == hour
    assert value(samples, "uadesk_tasks", queue="default", status="READY") == 1
    assert value(samples, "uadesk_task_last_started_age_seconds", queue="default") == hour + 40
    assert value(samples, "uadesk_task_last_finished_age_seconds", queue="default") == hour + 39
    assert value(samples, "uadesk_workers_seen") == 0  # none within the last 5 minutes
    # A signature a minute: the one made at noon is an hour old by now.
    assert value(samples, "uadesk_signatures_last_minute") == 0


def test_signatures_in_the_last_minute_and_workers_seen(client, petition):
    with at(DAY):
        now = timezone.now()
        for place, seconds in ((1, 10), (2, 59), (3, 61)):
            Signature.objects.create(
                petition=petition, name=f"N{place}", country="DE", household_place=place,
                created_at=now - datetime.timedelta(seconds=seconds),
            )  # fmt: skip
        for worker in ("w1", "w2", "w2"):
            DBTaskResult.objects.create(
                args_kwargs={"args": [], "kwargs": {}}, task_path="x.y", backend_name="default",
                run_after=get_date_max(), status="SUCCESSFUL", worker_ids=[worker], started_at=now,
            )  # fmt: skip
        samples = parse(scrape(client).content.decode())
    assert value(samples, "uadesk_signatures_last_minute") == 2
    assert value(samples, "uadesk_workers_seen") == 2


def test_no_personal_data_in_any_label_or_line(client, petition):
    supporter = Supporter.for_email("zubaida.personal@example.org")
    Signature.objects.create(
        petition=petition, supporter=supporter, name="Zubaida Qarluq", country="CN", household_place=1
    )
    Message.objects.create(kind="petition-email", ref=1)
    text = scrape(client).content.decode()
    assert "uadesk_signatures" in text
    for personal in ("zubaida", "Qarluq", "example.org", petition.slug, "Release Ilham"):
        assert personal.lower() not in text.lower()
    labels = {name for key in parse(text) for name, _ in key[1]}
    assert labels <= {"kind", "status", "channel", "reason", "state", "queue"}


def test_the_text_format_escapes_label_values():
    metric = Metric("uadesk_x", "gauge", "A help\nwith a \\ in it.")
    metric.add(1.5, kind='a"b\\c\nd')
    metric.add(2)
    text = exposition([metric])
    assert text == (
        "# HELP uadesk_x A help\\nwith a \\\\ in it.\n"
        "# TYPE uadesk_x gauge\n"
        'uadesk_x{kind="a\\"b\\\\c\\nd"} 1.5\n'
        "uadesk_x 2\n"
    )
    assert parse(text)[("uadesk_x", frozenset({("kind", 'a\\"b\\\\c\\nd')}))] == 1.5


def test_the_federation_figures(client):
    from uadesk.actions.models import Section
    from uadesk.federation.models import Subscription

    subscription = Subscription(name="Office", feed_url="http://127.0.0.1:9/federation/feed", office_key="x",
                                section=Section.objects.create(code="de", name="DE"), failures=3)  # fmt: skip
    subscription.set_token("uadf_t")
    subscription.save()
    text = scrape(client).content.decode()
    assert 'uadesk_federation_pull_failures{subscription="Office"} 3' in text
    assert "uadesk_federation_pull_age_seconds" in text and "uadf_t" not in text
