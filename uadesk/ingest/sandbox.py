"""Documents are read in a child process held to limits on CPU time and memory, never in a web process.

A hostile PDF or DOCX can cost minutes of CPU and gigabytes of memory to read (a 20 KB PDF whose pages
all draw one huge stream; a DOCX whose XML unpacks to 95 MB), and anyone who has sent a letter may
upload one as a reply. So the desk hands the bytes to a fresh interpreter (`python -I`, `main()` below)
on standard input; the child sets its own CPU and address-space limits before it reads them, and answers
with JSON on standard output. A child that passes a limit is stopped by the kernel (or runs out of
memory), and the caller gets DocumentTooComplex: one line, never a hung web process.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pathlib
import resource
import signal
import subprocess
import sys

from .errors import DocumentTooComplex, DocumentTooLarge, IngestError, UnreadableDocument

log = logging.getLogger(__name__)

TOO_COMPLEX = "This document is too large or too complex to read; paste its text instead."
# The child: isolated mode (no PYTHON* variables, no user site, not the working directory), with the
# folder that holds this package on its path, installed or not.
ROOT = pathlib.Path(__file__).resolve().parents[2]
CHILD = "import sys; sys.path.insert(0, sys.argv[1]); import uadesk.ingest.sandbox as s; sys.exit(s.main())"


@dataclasses.dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pages: int
    max_chars: int
    max_unpacked: int
    cpu_seconds: int
    memory_mb: int

    @property
    def wall_seconds(self) -> int:
        # CPU time is the limit; the wall clock only catches a child that waits (a busy machine gives
        # it a share of the cores, so the margin is wide).
        return max(30, 6 * self.cpu_seconds)

    @classmethod
    def from_settings(cls, **overrides: int) -> Limits:
        from django.conf import settings

        return cls(
            max_bytes=settings.INGEST_MAX_BYTES,
            max_pages=settings.INGEST_MAX_PAGES,
            max_chars=settings.INGEST_MAX_CHARS,
            max_unpacked=settings.INGEST_MAX_UNPACKED_BYTES,
            cpu_seconds=settings.INGEST_CPU_SECONDS,
            memory_mb=settings.INGEST_MEMORY_MB,
        ).replace(**overrides)

    def replace(self, **changes: int) -> Limits:
        return dataclasses.replace(self, **changes)


def read_document(data: bytes, filename: str, limits: Limits) -> str:
    """The text of a document; IngestError (DocumentTooComplex past a limit) says in one line why not."""
    from .readers import document_kind, read_bytes

    name = filename or "-"
    if document_kind(name) == ".txt":
        # Decoding text costs one pass over at most max_bytes: no reason for a process.
        return read_bytes(data, name, **_reader_limits(limits))
    header = json.dumps({"filename": name, **dataclasses.asdict(limits)}).encode() + b"\n"
    try:
        child = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
            [sys.executable, "-I", "-c", CHILD, str(ROOT)],
            input=header + data,
            capture_output=True,
            timeout=limits.wall_seconds,
            env={"LC_ALL": "C.UTF-8"},  # none of the desk's secrets
            cwd="/",
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        log.warning("document reader stopped: over %s s of wall-clock time", limits.wall_seconds)
        raise DocumentTooComplex(f"{name}: {TOO_COMPLEX}") from None
    return _answer(child, name, limits)


def _answer(child: subprocess.CompletedProcess, name: str, limits: Limits) -> str:
    if child.returncode < 0:
        stopped_by = signal.Signals(-child.returncode).name
        reason = {"SIGXCPU": f"its CPU time limit ({limits.cpu_seconds} s)"}.get(stopped_by, stopped_by)
        log.warning("document reader stopped by %s: %s", stopped_by, reason)
        raise DocumentTooComplex(f"{name}: {TOO_COMPLEX}")
    try:
        answer = json.loads(child.stdout)
    except ValueError:
        log.error("document reader failed (exit %s): %s", child.returncode, _last_line(child.stderr))
        raise UnreadableDocument(f"{name}: the document cannot be read.") from None
    if "text" in answer:
        return answer["text"]
    kind, message = answer.get("refused"), answer.get("message") or f"{name}: the document cannot be read."
    if kind == "memory":
        log.warning("document reader stopped: its memory limit (%s MB)", limits.memory_mb)
        raise DocumentTooComplex(f"{name}: {TOO_COMPLEX}")
    raise {"too_complex": DocumentTooComplex, "too_large": DocumentTooLarge}.get(kind, UnreadableDocument)(
        message
    )


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""


def _reader_limits(limits: Limits) -> dict[str, int]:
    return {
        "max_bytes": limits.max_bytes,
        "max_pages": limits.max_pages,
        "max_chars": limits.max_chars,
        "max_unpacked": limits.max_unpacked,
    }


# ------------------------------------------------------------------ the child


def _confine(limits: Limits) -> None:
    """The kernel's limits on this process: SIGXCPU past the CPU seconds (SIGKILL a second later),
    MemoryError past the address space, no file written, no core dumped."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)  # the web processes come first


def _peak_memory() -> int:
    """The most address space this process has held (what RLIMIT_AS limits), in bytes. Not ru_maxrss:
    Linux carries that over from the parent through exec, so a big web process would make every child
    look out of memory."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    header = json.loads(sys.stdin.buffer.readline())
    name = header.pop("filename")
    limits = Limits(**header)
    _confine(limits)
    data = sys.stdin.buffer.read(limits.max_bytes + 1)
    from .readers import read_bytes

    try:
        answer: dict[str, str] = {"text": read_bytes(data, name, **_reader_limits(limits))}
    except MemoryError:
        answer = {"refused": "memory"}
    except DocumentTooComplex as error:
        answer = {"refused": "too_complex", "message": str(error)}
    except DocumentTooLarge as error:
        answer = {"refused": "too_large", "message": str(error)}
    except IngestError as error:
        answer = {"refused": "unreadable", "message": str(error)}
        # lxml reports memory it could not get as a syntax error ("unknown error"), which the reader
        # takes for a damaged file: a peak this close to the limit says what really happened.
        if _peak_memory() > 0.9 * limits.memory_mb * 1024 * 1024:
            answer = {"refused": "memory"}
    del data
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
