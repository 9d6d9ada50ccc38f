"""Figure: Urgent Action texts parsed a second on one core, against only reading and normalising them.

Parsing and the baseline alternate in rounds over the whole corpus, so a noisy machine slows both alike and
the ratio stays meaningful. Time is this process's CPU time (one thread: one core), so what other
processes of a shared machine take from it is not counted. The target is at least 200 documents a second.
--quick (tests/test_bench.py): one short round: that it runs, not how fast.
Run: .venv/bin/python bench/ingest.py [--quick]
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import statistics  # noqa: E402
import time  # noqa: E402

from uadesk.ingest.parser import normalise_text, parse  # noqa: E402
from uadesk.ingest.readers import read_text  # noqa: E402

CORPUS = HERE.parent / "tests" / "ingest" / "corpus"
QUICK = "--quick" in sys.argv
ROUNDS = 1 if QUICK else 7
MIN_SECONDS = 0.05 if QUICK else 0.3
LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pages": 50}


def per_second(work, documents: list[Path]) -> float:
    """Documents a second for `work`, repeating the corpus until the round has run long enough to time."""
    done, start = 0, time.process_time()
    while True:
        for path in documents:
            work(path)
        done += len(documents)
        elapsed = time.process_time() - start
        if elapsed >= MIN_SECONDS:
            return done / elapsed


def ingest(path: Path) -> None:
    parse(read_text(path, **LIMITS)).to_dict()


def read_and_normalise(path: Path) -> None:
    normalise_text(read_text(path, **LIMITS))


def main() -> None:
    documents = sorted(CORPUS.glob("*.txt"))
    if not documents:
        sys.exit(f"no .txt documents in {CORPUS}")
    for path in documents:
        ingest(path)  # warm the regex caches and imports outside the timing
    parsed, baseline = [], []
    for _ in range(ROUNDS):
        baseline.append(per_second(read_and_normalise, documents))
        parsed.append(per_second(ingest, documents))
    parsed_rate, baseline_rate = statistics.median(parsed), statistics.median(baseline)
    print(f"documents: {len(documents)}")
    print(f"ingest_docs_per_second: {parsed_rate:.0f}")
    print(f"baseline_read_normalise_docs_per_second: {baseline_rate:.0f}")
    print(f"ratio: {baseline_rate / parsed_rate:.1f}")


if __name__ == "__main__":
    main()
