"""`uadesk backup` copies the live desk while supporters keep writing; `uadesk restore` brings it back."""

import subprocess
import threading
import time
import uuid

import pytest
from django.db import connection

from uadesk.appeals.models import Appeal, EmailConfirmation
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.supporters import crypto


@pytest.fixture
def open_action(transactional_db):
    """The demo action, open from today: the writers go through the real appeal_submit."""
    from uadesk.ingest.demo import demo_load

    action, _ = demo_load(reopen=True)
    return action


class Supporters(threading.Thread):
    """Supporters sending appeals one after another; `acknowledged` lists each once its commit returned."""

    def __init__(self, action):
        super().__init__(daemon=True)
        self.action_pk = action.pk
        self.acknowledged: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def snapshot(self) -> list[str]:
        with self.lock:
            return list(self.acknowledged)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < count and self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.error is None, self.error
        assert self.count() >= count

    def run(self):
        from uadesk.actions.models import Action

        try:
            action = Action.objects.get(pk=self.action_pk)
            target = action.targets.order_by("pk").first()
            number = 0
            while not self.stop.is_set():
                number += 1
                key = uuid.uuid4()
                appeal_submit(
                    action=action, targets=[target], channel="email", language="en",
                    subject="Release them", letters={target.pk: f"Letter {number}: please release them."},
                    writer=Writer(name=f"Supporter {number}", town="Lyon", email=f"s{number}@example.org"),
                    key=key,
                )  # fmt: skip
                with self.lock:
                    self.acknowledged.append(str(key))
        except BaseException as error:  # noqa: BLE001 - handed to the test thread, which fails on it
            self.error = error
        finally:
            connection.close()


def prefill(action, count: int = 4000) -> None:
    """Earlier appeals with long letters, so the copy itself takes a while and writes land during it."""
    target = action.targets.order_by("pk").first()
    letter = "Please release everyone detained. " * 60
    Appeal.objects.bulk_create(
        Appeal(action=action, target=target, channel="email", language="en", subject="Earlier",
               body=letter, supporter_name="Earlier", status=Appeal.Status.SENT)
        for _ in range(count)
    )  # fmt: skip


def run(args, env, timeout=300):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


def test_backup_while_writing_then_restore_holds_every_appeal_acknowledged_before_it(
    open_action, process_env, uadesk_bin, tmp_path
):
    prefill(open_action)
    supporters = Supporters(open_action)
    supporters.start()
    try:
        supporters.wait_for(20)
        before = supporters.snapshot()  # acknowledged before the backup began
        backup_file = tmp_path / "desk.backup"
        result = run([uadesk_bin, "backup", str(backup_file)], process_env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(backup_file)
        during = supporters.count() - len(before)
        assert during > 0  # supporters went on writing while the backup ran
        assert backup_file.stat().st_mode & 0o777 == 0o600
        supporters.wait_for(supporters.count() + 10)  # and after it: these the restore must undo
    finally:
        supporters.stop.set()
        supporters.join(60)
    assert supporters.error is None, supporters.error
    acknowledged = supporters.snapshot()

    result = run([uadesk_bin, "restore", str(backup_file), "--yes"], process_env)
    assert result.returncode == 0, result.stderr
    connection.close()  # read the restored database afresh

    written = Appeal.objects.filter(subject="Release them")
    restored = {str(key) for key in written.values_list("submission", flat=True)}
    assert set(before) <= restored
    # A consistent snapshot of one writer holds a prefix of what it wrote: no gap, nothing torn.
    kept = [key for key in acknowledged if key in restored]
    assert kept == acknowledged[: len(kept)]
    assert restored == set(kept)
    assert len(kept) < len(acknowledged)  # what came after the backup is gone: this is the backup's state
    assert Appeal.objects.filter(subject="Earlier").count() == 4000
    # The addresses came back sealed, still found by the keyed hash, waiting for their owners to
    # confirm them (made in the appeals' own transaction: one for each form, no more).
    assert EmailConfirmation.objects.count() == len(kept)
    last = EmailConfirmation.objects.get(submission=kept[-1])
    assert last.email_hash == crypto.email_hash(f"S{len(kept)}@example.org")
    assert last.email == f"s{len(kept)}@example.org"


def test_bad_input_is_one_line_and_exit_2(db, process_env, uadesk_bin, tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello\n")
    good = tmp_path / "good.backup"
    assert run([uadesk_bin, "backup", str(good)], process_env).returncode == 0
    cases = [
        ([uadesk_bin, "restore", str(tmp_path / "missing.backup"), "--yes"], "cannot read it"),
        ([uadesk_bin, "restore", str(not_a_backup), "--yes"], "not a"),
        ([uadesk_bin, "restore", str(good)], "--yes"),
        ([uadesk_bin, "backup", str(tmp_path / "no-such-folder" / "x.backup")], "does not exist"),
        ([uadesk_bin, "backup", str(tmp_path)], "is a folder"),
    ]
    for args, words in cases:
        result = run(args, process_env)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert words in result.stderr
    assert not list(tmp_path.glob(".*.partial"))


def test_a_sqlite_file_that_is_not_a_desk_is_refused(db, process_env, uadesk_bin, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite files only")
    import sqlite3
    from contextlib import closing

    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as db_file:
        db_file.execute("CREATE TABLE t (x)")
    result = run([uadesk_bin, "restore", str(other), "--yes"], process_env)
    assert result.returncode == 2
    assert "not a uadesk database" in result.stderr
