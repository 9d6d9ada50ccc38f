"""`uadesk backup [FILE]`: a consistent copy of the live database, taken while the desk keeps serving."""

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


def fail(message: str):
    """Bad input or a failed tool: one line on stderr and exit status 2, as every uadesk command does."""
    return CommandError(" ".join(str(message).split()), returncode=2)


def database(alias: str = "default"):
    connection = connections[alias]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise fail(f"backups handle SQLite and PostgreSQL, not {connection.vendor}")
    return connection


def pg_tool(name: str, connection) -> str:
    """The path of pg_dump or pg_restore, refused if older than the server (it could not read its dump)."""
    path = shutil.which(name)
    if path is None:
        raise fail(f"{name} is not installed: install the PostgreSQL client of the server's version")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    client_major = int(found.group(1)) if found else 0
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if client_major < server_major:
        raise fail(
            f"{name} {client_major} cannot handle a PostgreSQL {server_major} server: install a newer {name}"
        )
    return path


def pg_arguments(connection) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools; the password travels in the environment, not argv."""
    conf = connection.settings_dict
    args = ["--no-password", "--dbname", conf["NAME"]]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", conf["USER"]]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    if sslmode := conf.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return args, env


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def backup_sqlite(source_path: str, partial: Path) -> None:
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(partial)
    try:
        # One step (pages=-1) reads every page in one read transaction: a snapshot as of its start. In
        # WAL mode the desk's writers go on meanwhile; a paged backup would restart on each of their writes.
        source.backup(target, pages=-1)
        # The copy stands alone as one file, with no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        if (result := target.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            raise fail(f"the copy failed its integrity check: {result}")
    except sqlite3.Error as error:
        raise fail(f"cannot copy the database {source_path}: {error}") from None
    finally:
        target.close()
        source.close()


def backup_postgresql(connection, partial: Path) -> None:
    pg_dump = pg_tool("pg_dump", connection)
    args, env = pg_arguments(connection)
    # pg_dump reads the whole database in one repeatable-read snapshot, so the desk goes on writing.
    result = subprocess.run(
        [pg_dump, "--format=custom", "--file", str(partial), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise fail(f"pg_dump failed: {last_line(result.stderr)}")


class Command(BaseCommand):
    help = (
        "Writes a consistent copy of the database while the desk is serving (SQLite online backup, or "
        "pg_dump's custom format); `uadesk restore FILE` brings it back. The SUPPORTER_KEY is not in it: "
        "keep that apart."
    )
    # A backup must run even when a check would fail, and the checks themselves query the database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write it (default: DATA_DIR/backups/...)")
        parser.add_argument("--database", dest="alias", default="default", help="the database alias")

    def handle(self, *args, file: str | None = None, alias: str = "default", **options):
        connection = database(alias)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        suffix = ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"
        path = Path(file) if file else Path(settings.DATA_DIR) / "backups" / f"uadesk-{stamp}{suffix}"
        if path.is_dir():
            raise fail(f"{path} is a folder: name the file to write")
        if not file:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.parent.is_dir():
            raise fail(f"{path.parent} does not exist")
        # Written beside the target and renamed at the end: a failed or interrupted backup never
        # leaves a half file under the name of a good one.
        partial = path.with_name(f".{path.name}.partial")
        try:
            # The backup holds supporters' sealed addresses and names: readable by its owner only.
            partial.touch(mode=0o600)
            partial.chmod(0o600)
        except OSError as error:
            raise fail(f"cannot write {path}: {error.strerror or error}") from None
        try:
            if connection.vendor == "sqlite":
                backup_sqlite(str(connection.settings_dict["NAME"]), partial)
            else:
                backup_postgresql(connection, partial)
            with open(partial, "rb") as copy:
                os.fsync(copy.fileno())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(str(path))
