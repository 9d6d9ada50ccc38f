"""Every benchmark in bench/ still runs end to end in its quick mode and prints its figures (never timed)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
# What the benchmarks start, not benchmarks. Every other bench/*.py is one and runs here, new ones too.
HELPERS = {"smtp_sink.py", "common.py"}
BENCHMARKS = sorted(path for path in BENCH.glob("*.py") if path.name not in HELPERS)
# A figure is printed as print(f"name: {value}"); its name may hold values, as in {db}_intake_per_second.
FIGURE = re.compile(r'print\(f"((?:\w|\{[^{}"]*\})+): \{')
# Only a guard against a hung server or worker; how long a run takes is never asserted.
HANG_SECONDS = 600


def figure_lines(script: Path) -> dict[str, re.Pattern]:
    """The lines the script is written to print, one pattern per figure named in its source."""
    patterns = {}
    for name in FIGURE.findall(script.read_text(encoding="utf-8")):
        literal = r"\w+".join(re.escape(part) for part in re.split(r"\{[^{}]*\}", name))
        patterns[name] = re.compile(rf"^{literal}: \S", re.MULTILINE)
    return patterns


def test_the_helpers_are_still_there():
    # A renamed helper would be taken for a benchmark and run with --quick.
    assert all((BENCH / name).is_file() for name in HELPERS)
    assert BENCHMARKS


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.name)
def test_benchmark_runs_in_quick_mode(script, tmp_path):
    figures = figure_lines(script)
    assert figures, f"{script.name} prints no figure as print(f'name: {{value}}')"
    # As CI runs it: DATABASE_URL may point at the tests' PostgreSQL, which a benchmark must leave alone
    # (each makes its own SQLite database in a folder of its own, here under tmp_path).
    env = os.environ | {"TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    run = subprocess.run(
        [sys.executable, "-P", str(script), "--quick"],
        cwd=BENCH.parent, env=env, capture_output=True, text=True, timeout=HANG_SECONDS,
    )  # fmt: skip
    report = f"{script.name} --quick said:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, report
    missing = [name for name, line in figures.items() if not line.search(run.stdout)]
    assert not missing, f"figures not printed: {missing}\n{report}"


def test_the_outbox_benchmark_runs_its_quick_mode_on_sqlite_without_postgresql(tmp_path):
    # As `make test` on a machine with no PostgreSQL server: a port where nothing listens.
    from tests.conftest import free_port

    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/uadesk_bench_outbox"
    env = os.environ | {"TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "BENCH_DATABASE_URL": nowhere}
    run = subprocess.run(
        [sys.executable, "-P", str(BENCH / "outbox.py"), "--quick"],
        cwd=BENCH.parent, env=env, capture_output=True, text=True, timeout=HANG_SECONDS,
    )  # fmt: skip
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert "database: sqlite" in run.stdout.splitlines()
    assert re.search(r"^outbox_1_workers_per_second: \d+$", run.stdout, re.MULTILINE)
