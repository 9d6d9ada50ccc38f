"""`uadesk restore FILE --yes`: put a backup made by `uadesk backup` back in place of the live database."""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand

from .backup import PG_MAGIC, SQLITE_MAGIC, database, fail, last_line, pg_arguments, pg_tool


def restore_sqlite(backup: Path, live_path: str) -> None:
    try:
        # Read-only: checking a backup must never change it.
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise fail(f"{backup}: cannot open it ({error})") from None
    try:
        try:
            ok = source.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.Error as error:
            raise fail(f"{backup}: not a readable SQLite database ({error})") from None
        if ok != "ok":
            raise fail(f"{backup}: it fails SQLite's integrity check ({ok})")
        if "django_migrations" not in tables:
            raise fail(f"{backup}: not a uadesk database (it has no django_migrations table)")
        target = sqlite3.connect(live_path, timeout=30)
        try:
            # The backup API writes the live file under SQLite's own locks, page by page in one step:
            # the desk's processes see the old database or the restored one, never a mix.
            source.backup(target, pages=-1)
            # The copy was made standalone; the live desk reads while the worker writes.
            target.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as error:
            raise fail(f"cannot write the database {live_path}: {error}") from None
        finally:
            target.close()
    finally:
        source.close()


def restore_postgresql(backup: Path, connection) -> None:
    pg_restore = pg_tool("pg_restore", connection)
    args, env = pg_arguments(connection)
    connection.close()  # our own session holds nothing pg_restore must wait for
    listing = subprocess.run([pg_restore, "--list", str(backup)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise fail(f"{backup}: pg_restore cannot read it ({last_line(listing.stderr)})")
    # One transaction: a restore that fails half-way leaves the database as it was.
    result = subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", *args, str(backup)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise fail(f"pg_restore failed: {last_line(result.stderr)}")


class Command(BaseCommand):
    help = (
        "Replaces the whole database with a backup made by `uadesk backup` (SQLite: the backup API into "
        "the live file; PostgreSQL: pg_restore --clean). Asks for --yes. Then run `uadesk migrate`."
    )
    # A backup must run even when a check would fail, and the checks themselves query the database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `uadesk backup`")
        parser.add_argument("--yes", action="store_true", help="yes, replace everything in the database")
        parser.add_argument("--database", dest="alias", default="default", help="the database alias")

    def handle(self, *args, file: str, yes: bool = False, alias: str = "default", **options):
        connection = database(alias)
        backup = Path(file)
        try:
            with open(backup, "rb") as f:
                head = f.read(16)
        except OSError as error:
            raise fail(f"{file}: cannot read it ({error.strerror or error})") from None
        expected = SQLITE_MAGIC if connection.vendor == "sqlite" else PG_MAGIC
        if not head.startswith(expected):
            kind = "an SQLite backup" if connection.vendor == "sqlite" else "a pg_dump custom-format backup"
            raise fail(f"{file}: not {kind}, which this {connection.vendor} desk needs")
        if not yes:
            raise fail(f"restoring {file} replaces everything in the database: run again with --yes")
        if connection.vendor == "sqlite":
            connection.close()
            restore_sqlite(backup, str(connection.settings_dict["NAME"]))
        else:
            restore_postgresql(backup, connection)
        self.stdout.write(f"restored {file}; run `uadesk migrate` if the backup is older than the code")
