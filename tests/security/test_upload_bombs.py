"""Hostile documents (issue 15): a PDF or DOCX that costs minutes of CPU and gigabytes to read is refused
with one clear message, read in a confined child process and never in the web process; replies are
rate-limited; `uadesk ingest -` stops reading standard input past the limit."""

import datetime
import io
import logging
import os
import subprocess
import uuid
import zipfile

import docx
import pytest
from django.urls import reverse

from tests.conftest import at
from tests.ingest import pdfmaker
from uadesk.appeals.models import Reply
from uadesk.appeals.services import Writer, appeal_submit

TOO_COMPLEX = "This document is too large or too complex to read; paste its text instead."
RATE_LIMITED = "Many replies were sent from your connection in the last hour. Try again later."
OPEN_DAY = datetime.date(2022, 9, 1)


# ------------------------------------------------------------------ the hostile files


def shared_stream_pdf(stream_bytes: int = 5_000_000, pages: int = 20) -> bytes:
    """About 20 KB: every page draws one content stream that unpacks to 5 MB of text operators, so
    reading the text parses it once per page (about 100 s of CPU before the fix)."""
    line = b"BT /F1 9 Tf 36 800 Td (Release them now) Tj ET\n"
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: pdfmaker._stream(line * (stream_bytes // len(line))),
    }
    kids = list(range(5, 5 + pages))
    for n in kids:
        objects[n] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>"
        )
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    return pdfmaker._assemble(objects)


def xml_heavy_docx(path, *, xml_mb: int = 90, noise_mb: int = 2):
    """A real Word document whose document.xml unpacks to `xml_mb` MiB of paragraphs, packed beside a
    stored random part: every declared size and ratio passes the zip-bomb checks, yet python-docx
    took 59 s and 1.5 GB to read the 95 MB of XML."""
    blank = io.BytesIO()
    docx.Document().save(blank)
    with zipfile.ZipFile(blank) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    head, _, _ = parts["word/document.xml"].partition(b"<w:body>")
    paragraph = b"<w:p><w:r><w:t>Release them now, paragraph %07d of the letter.</w:t></w:r></w:p>"
    count = xml_mb * 1024 * 1024 // len(paragraph % 0)
    parts["word/document.xml"] = (
        head
        + b"<w:body>"
        + b"".join(paragraph % i for i in range(count))
        + b"<w:sectPr/></w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        noise = zipfile.ZipInfo("word/media/noise.bin")
        archive.writestr(noise, os.urandom(noise_mb * 1024 * 1024), compress_type=zipfile.ZIP_STORED)
    return path


@pytest.fixture(scope="module")
def hostile_docx(tmp_path_factory):
    path = xml_heavy_docx(tmp_path_factory.mktemp("bombs") / "answer.docx")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    # The hard case: nothing in the declared sizes looks like a zip bomb.
    unpacked, packed = sum(i.file_size for i in infos), sum(i.compress_size for i in infos)
    assert 90 * 1024 * 1024 < unpacked < 100 * 1024 * 1024 and unpacked / packed < 200
    assert all(i.file_size <= 1000 * max(i.compress_size, 1) for i in infos)
    return path


def upload(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return file


# ------------------------------------------------------------------ the public reply form


@pytest.fixture
def reply_url(seed_action):
    target = seed_action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        appeal = appeal_submit(
            action=seed_action, targets=[target], channel="post", language="en", subject="s",
            letters={target.pk: "Release them."}, key=uuid.uuid4(), writer=Writer(name="Ada"),
        )[0]  # fmt: skip
    appeal.confirm_sent_by_supporter()
    return reverse("appeals:reply", args=[seed_action.slug, appeal.submission, appeal.target_id])


def refused_with_the_message(response) -> None:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'role="alert"' in html and TOO_COMPLEX in html
    assert not Reply.objects.exists()


def test_a_pdf_whose_pages_all_draw_one_huge_stream_is_refused(client, reply_url):
    data = shared_stream_pdf()
    assert len(data) < 30_000
    refused_with_the_message(client.post(reply_url, {"document": upload("answer.pdf", data)}))


def test_a_docx_with_95_mb_of_xml_beside_a_stored_random_part_is_refused(client, reply_url, hostile_docx):
    response = client.post(reply_url, {"document": upload("answer.docx", hostile_docx.read_bytes())})
    refused_with_the_message(response)


def test_past_the_byte_limits_the_kernel_stops_the_reader_in_its_own_process(
    client, reply_url, settings, caplog
):
    # With the unpacked-byte limit out of the way the reader starts on the 100 MB of drawing; only the
    # CPU limit of its process can stop it. SIGXCPU is the kernel's answer to RLIMIT_CPU: it reaches a
    # child set up for it, and would have ended this test's process had the reading happened here.
    settings.INGEST_MAX_UNPACKED_BYTES = 10**9
    settings.INGEST_CPU_SECONDS = 1
    settings.INGEST_MEMORY_MB = 2048
    with caplog.at_level(logging.WARNING, logger="uadesk.ingest.sandbox"):
        response = client.post(reply_url, {"document": upload("answer.pdf", shared_stream_pdf())})
    refused_with_the_message(response)
    assert "document reader stopped by SIGXCPU" in caplog.text


def test_past_the_byte_limits_the_reader_runs_out_of_its_own_memory(
    client, reply_url, settings, caplog, hostile_docx
):
    settings.INGEST_MAX_UNPACKED_BYTES = 10**9
    settings.INGEST_CPU_SECONDS = 60
    settings.INGEST_MEMORY_MB = 256
    with caplog.at_level(logging.WARNING, logger="uadesk.ingest.sandbox"):
        response = client.post(reply_url, {"document": upload("answer.docx", hostile_docx.read_bytes())})
    refused_with_the_message(response)
    assert "document reader stopped: its memory limit (256 MB)" in caplog.text


def test_a_normal_pdf_or_docx_reply_is_read_and_its_text_kept(client, reply_url):
    pdf = pdfmaker.text_pdf(
        "Dear Ms Bachelet,\n\nThe case is under review by the procuratorate.\n\nSincerely"
    )
    document = docx.Document()
    document.add_paragraph("The detainee has been released on bail.")
    saved = io.BytesIO()
    document.save(saved)
    for name, data in (("answer.pdf", pdf), ("answer.docx", saved.getvalue())):
        response = client.post(reply_url, {"document": upload(name, data), "received_on": "2022-10-01"})
        assert response.status_code == 302, response.content.decode()[-2000:]
    texts = [" ".join(reply.text.split()) for reply in Reply.objects.order_by("pk")]
    assert "The case is under review by the procuratorate." in texts[0]
    assert texts[1] == "The detainee has been released on bail."


def test_extraction_stops_past_the_character_limit(client, reply_url, settings):
    settings.INGEST_MAX_CHARS = 2000
    long_answer = "\n".join(f"Paragraph {n} of a long answer from the procuratorate." for n in range(300))
    document = docx.Document()
    for line in long_answer.splitlines():
        document.add_paragraph(line)
    saved = io.BytesIO()
    document.save(saved)
    for name, data in (("answer.pdf", pdfmaker.text_pdf(long_answer)), ("answer.docx", saved.getvalue())):
        refused_with_the_message(client.post(reply_url, {"document": upload(name, data)}))


def test_the_eleventh_reply_in_an_hour_from_one_address_is_refused(client, reply_url):
    for n in range(10):
        assert client.post(reply_url, {"text": f"Answer {n}"}).status_code == 302
    response = client.post(reply_url, {"text": "Answer 10"})
    assert response.status_code == 429
    html = response.content.decode()
    assert RATE_LIMITED in html and "Answer 10" in html  # what they typed is still there
    assert Reply.objects.count() == 10
    # Another network is not held by this one's count.
    assert client.post(reply_url, {"text": "Answer 11"}, REMOTE_ADDR="198.51.100.7").status_code == 302


# ------------------------------------------------------------------ the staff import and the command


def test_the_staff_import_reads_in_the_confined_process_too(staff_client):
    response = staff_client.post(reverse("ingest"), {"document": upload("ua.pdf", shared_stream_pdf())})
    assert response.status_code == 200
    assert TOO_COMPLEX in response.content.decode()


def test_the_command_refuses_the_hostile_documents_in_one_line(uadesk_bin, tmp_path, hostile_docx):
    pdf = tmp_path / "ua.pdf"
    pdf.write_bytes(shared_stream_pdf())
    for path in (pdf, hostile_docx):
        result = subprocess.run([uadesk_bin, "ingest", path, "--json"], capture_output=True, timeout=300)
        stderr = result.stderr.decode().strip()
        assert result.returncode == 2, stderr
        assert len(stderr.splitlines()) == 1 and "unpack to more than" in stderr, stderr
        assert result.stdout == b""


def test_ingest_from_standard_input_stops_reading_at_the_limit(uadesk_bin):
    # Before the fix the command read standard input to its end (2.3 GB of memory for 2 GB) before
    # refusing it; here the input never ends, so only a command that stops at the limit answers.
    env = dict(os.environ, INGEST_MAX_BYTES="1000")
    with subprocess.Popen(
        [uadesk_bin, "ingest", "-", "--json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as process:  # fmt: skip
        try:
            process.stdin.write(b"URGENT ACTION\n" * 400)  # 5,600 bytes, well within a pipe's buffer
            process.stdin.flush()
            returncode = process.wait(timeout=120)
        finally:
            process.kill()
        stderr = process.stderr.read().decode().strip()
        stdout = process.stdout.read()
    assert returncode == 2, stderr
    assert stderr == "CommandError: -: standard input is over the limit of 1000 bytes."
    assert stdout == b""
