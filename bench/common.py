"""What the benchmarks that send mail share: a free port, their own PostgreSQL database made afresh, and
bench/smtp_sink.py started and listening. Imports no Django: each benchmark sets its environment first."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_afresh(database_url: str, *, quick: bool) -> str:
    """Drops and makes the benchmark's own database (never the tests' one) and points DATABASE_URL at
    it; returns which database the run uses. --quick without a PostgreSQL server to reach runs on SQLite
    instead: the quick mode proves the benchmark runs, and `make test` runs it without one."""
    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    try:
        conn = psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if not quick:
            raise
        print(f"PostgreSQL unreachable ({str(error).strip().splitlines()[0]}): on SQLite", file=sys.stderr)
        os.environ.pop("DATABASE_URL", None)
        return "sqlite"
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    return "postgresql"


def sink_start(port: int, command: list[str] | None = None) -> subprocess.Popen:
    """bench/smtp_sink.py on `port` (or another sink: Python's arguments), once it listens."""
    sink = subprocess.Popen([sys.executable, *(command or [str(HERE / "smtp_sink.py"), str(port)])])
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            if time.monotonic() > deadline or sink.poll() is not None:
                raise
            time.sleep(0.05)
