"""Group commit: forms from many requests at once are written together, each answered after its commit."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from uadesk.petitions.intake import GroupCommit, insert_all
from uadesk.petitions.models import Submission

# Real threads with their own connections: the rows must be committed for the others to see them.
pytestmark = pytest.mark.django_db(transaction=True)


def form(petition, nonce: str) -> Submission:
    expires = timezone.now() + datetime.timedelta(hours=1)
    return Submission(petition=petition, nonce=nonce, name="Ana", country="FR", expires_at=expires)


class CountingWrites:
    """The real INSERT, counting how many batches it was called with."""

    def __init__(self):
        self.insert, self.batches = insert_all(Submission, unique="nonce"), []

    def __call__(self, rows):
        self.batches.append(len(rows))
        try:
            return self.insert(rows)
        finally:
            connection.close()  # this thread's connection, not left open past the test


def test_concurrent_forms_share_commits_and_each_is_answered_after_its_own(petition):
    writes = CountingWrites()
    group = GroupCommit(writes)
    start = threading.Barrier(32)

    def sign(n):
        start.wait()
        taken = group.take(form(petition, f"nonce-{n}"))
        # Answered only once committed: this thread's own connection sees the row at once.
        seen = Submission.objects.filter(nonce=f"nonce-{n}").exists()
        connection.close()
        return taken, seen

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(sign, range(320)))
    assert answers == [(True, True)] * 320
    assert Submission.objects.count() == 320 and sum(writes.batches) == 320
    assert len(writes.batches) < 320 and max(writes.batches) > 1  # some forms shared a commit


def test_a_spent_nonce_is_refused_and_the_rest_of_its_batch_taken(petition):
    group = GroupCommit(CountingWrites())
    assert group.take(form(petition, "spent")) is True
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: group.take(form(petition, n)), ["a", "spent", "b", "c", "spent"]))
    assert answers == [True, False, True, True, False]
    assert sorted(Submission.objects.values_list("nonce", flat=True)) == ["a", "b", "c", "spent"]


def test_a_failed_write_reaches_its_requests_and_the_next_batch_is_written(petition):
    failing = {"once": True}
    writes = CountingWrites()

    def write(rows):
        if failing.pop("once", False):
            raise RuntimeError("the database went away")
        return writes(rows)

    group = GroupCommit(write)
    with pytest.raises(RuntimeError, match="went away"):
        group.take(form(petition, "first"))
    assert group.take(form(petition, "second")) is True
    assert list(Submission.objects.values_list("nonce", flat=True)) == ["second"]


def test_one_insert_takes_new_rows_and_tells_the_spent_ones_even_twice_in_one_batch(petition):
    insert = insert_all(Submission, unique="nonce")
    assert insert([form(petition, "spent")]) == [True]
    rows = [form(petition, n) for n in ["a", "spent", "b", "b"]]
    assert insert(rows) == [True, False, True, False]
    stored = dict(Submission.objects.values_list("nonce", "pk"))
    assert sorted(stored) == ["a", "b", "spent"]
    assert (rows[0].pk, rows[2].pk) == (stored["a"], stored["b"])  # the taken rows know their keys
    assert rows[1].pk is None and rows[3].pk is None
