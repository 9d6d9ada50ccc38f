"""Thousands of signatures from many clients at a real server, then confirmed: the count is exact.

The production web server (four processes of four threads) serves the test database on loopback; two real task
workers turn the forms into signatures and send the emails to a real SMTP server; the clients
confirm every link, some twice at once. Duplicates in other spellings and household members are
part of the load. PostgreSQL only: SQLite takes one writer at a time, so it would test the lock.
"""

import json
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.conftest import confirm_links, free_port, request, web_server
from uadesk.management.commands.run import web_server_args
from uadesk.petitions import pow
from uadesk.petitions.models import Signature, Submission
from uadesk.petitions.tasks import submissions_drain
from uadesk.supporters.models import Supporter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

PEOPLE = 2000
DUPLICATES = 150  # the same person again, email spelled otherwise, name in other case
HOUSEHOLD = 100  # a second name on one of the first addresses


@pytest.fixture
def server(process_env, smtp_server, settings):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the concurrency test needs PostgreSQL (DATABASE_URL=postgres://...): SQLite has one writer"
        )
    port = free_port()
    env = process_env | {
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_server[1]), "PETITION_POW_MAX_NUMBER": "50",
        "PETITION_RATE_PER_ADDRESS": "0", "PETITION_RATE_PER_NETWORK": "0", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    with web_server(web_server_args("127.0.0.1", port, workers=4), env, port):
        yield port, env


def load(petition) -> list[dict]:
    forms = [
        {"name": f"Person {n}", "email": f"person.{n}@gmail.com", "country": "FR"} for n in range(PEOPLE)
    ]
    forms += [
        {"name": f"PERSON  {n}", "email": f"Person{n}+again@GoogleMail.com", "country": "FR"}
        for n in range(DUPLICATES)
    ]
    forms += [
        {"name": f"Partner {n}", "email": f"person{n}@gmail.com", "country": "DE"} for n in range(HOUSEHOLD)
    ]
    scope = f"petition-{petition.pk}"
    for form in forms:
        # Challenges made here with the server's own key; the page that hands them out is tested elsewhere.
        token = pow.challenge_make(scope=scope, max_number=50).token
        form |= {"challenge": token, "work": str(pow.solve(token)), "website": ""}
    return forms


def run_workers(uadesk_bin, env, count=2):
    workers = [
        subprocess.Popen([uadesk_bin, "worker", "--batch", "--interval=0.05"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]  # fmt: skip
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr.decode()[-3000:]


def test_the_count_equals_the_confirmed_signatures_none_lost_none_doubled(
    server, petition, uadesk_bin, smtp_server
):
    port, env = server
    mailbox, _ = smtp_server
    forms = load(petition)
    path = petition.get_absolute_url()
    with ThreadPoolExecutor(max_workers=48) as pool:
        statuses = list(pool.map(lambda form: request("POST", port, path, form).status, forms))
    assert statuses.count(302) == len(forms), sorted(set(statuses))
    assert Submission.objects.count() == len(forms)

    for _ in range(2):
        submissions_drain.enqueue()  # and the kicks the server queued
    run_workers(uadesk_bin, env)
    expected = PEOPLE + HOUSEHOLD
    assert Submission.objects.filter(taken_at__isnull=True).count() == 0
    assert Signature.objects.count() == expected
    assert Supporter.objects.count() == PEOPLE
    links = confirm_links(mailbox.wait_for(expected, timeout=60))
    assert len(links) == len(set(links)) == expected  # one link per signature, none for the duplicates

    # Every link confirmed, a tenth of them twice at the same moment.
    clicks = links + links[: expected // 10]
    with ThreadPoolExecutor(max_workers=48) as pool:
        statuses = list(pool.map(lambda link: request("POST", port, link).status, clicks))
    assert statuses.count(200) == expected and statuses.count(410) == expected // 10

    assert Signature.objects.confirmed().count() == expected
    time.sleep(2.5)  # the count shown may be two seconds old
    answer = request("GET", port, f"/petitions/{petition.slug}/count.json")
    assert answer.status == 200 and json.loads(answer.body)["count"] == expected
    assert re.search(rf"{expected} signatures", request("GET", port, path).body.decode().replace(",", ""))
