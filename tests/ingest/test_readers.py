"""The readers: text, PDF and DOCX read to the same UA, and each kind of bad file refused in one line."""

import pathlib
import zipfile

import docx
import pytest

from uadesk.ingest.errors import DocumentTooLarge, IngestError
from uadesk.ingest.parser import parse
from uadesk.ingest.readers import read_bytes, read_text

from . import pdfmaker

HERE = pathlib.Path(__file__).parent
SEED_TEXT = (HERE / "corpus" / "xinjiang-2022.txt").read_text(encoding="utf-8")
LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pages": 20}


def refused(path_or_data, filename: str | None = None, **limits) -> IngestError:
    limits = {**LIMITS, **limits}
    with pytest.raises(IngestError) as e:
        if filename is None:
            read_text(path_or_data, **limits)
        else:
            read_bytes(path_or_data, filename, **limits)
    message = str(e.value)
    assert message and "\n" not in message and "Traceback" not in message
    return e.value


def targets_of(text: str) -> list[tuple[str, str, str | None]]:
    return [(t.role, t.name, t.country) for t in parse(text).targets]


# ---------------------------------------------------------------- good files


def test_text_file_reads_as_written(tmp_path):
    path = tmp_path / "seed.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")
    assert read_text(path, **LIMITS) == SEED_TEXT
    assert read_text(str(path), **LIMITS) == SEED_TEXT


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_text_with_a_byte_order_mark_is_accepted(encoding):
    data = SEED_TEXT.encode(encoding)
    assert targets_of(read_bytes(data, "seed.txt", **LIMITS)) == targets_of(SEED_TEXT)


def test_standard_input_name_reads_text():
    assert read_bytes(SEED_TEXT.encode(), "-", **LIMITS) == SEED_TEXT


def test_pdf_of_the_seed_parses_to_the_same_targets(tmp_path):
    path = tmp_path / "seed.pdf"
    path.write_bytes(pdfmaker.text_pdf(SEED_TEXT))
    text = read_text(path, **LIMITS)
    assert "Dear President Xi Jinping" in text
    doc = parse(text)
    assert targets_of(text) == targets_of(SEED_TEXT)
    primary = doc.targets[0]
    assert primary.native_address_lines == ["北京市西城区西长安街街道 100017"]
    assert primary.emails == ["english@mail.gov.cn"] and primary.faxes == ["+86 10 6238 1025"]
    assert doc.deadline is not None and doc.deadline.isoformat() == "2022-09-23"


def test_docx_of_the_seed_parses_to_the_same_targets(tmp_path):
    document = docx.Document()
    for line in SEED_TEXT.split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "seed.docx"
    document.save(path)
    text = read_text(path, **LIMITS)
    assert targets_of(text) == targets_of(SEED_TEXT)
    assert parse(text).to_dict()["model_letter"] == parse(SEED_TEXT).to_dict()["model_letter"]


def test_docx_with_the_addresses_in_a_table(tmp_path):
    head, _, rest = SEED_TEXT.partition("Dear President Xi Jinping:")
    before, _, block = head.partition(
        "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER"
    )
    document = docx.Document()
    for line in (before + "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER").split(
        "\n"
    ):
        document.add_paragraph(line)
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = block.strip()
    for line in ("Dear President Xi Jinping:" + rest).split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "table.docx"
    document.save(path)
    assert targets_of(read_text(path, **LIMITS)) == targets_of(SEED_TEXT)


# ---------------------------------------------------------------- bad files


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in str(refused(path))


def test_whitespace_only_file_has_no_text(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n ", encoding="utf-8")
    assert "no text" in str(refused(path))


@pytest.mark.parametrize("name", ["ua.rtf", "ua.odt", "ua", "ua.doc", "ua.mht"])
def test_unsupported_file_type(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"URGENT ACTION")
    assert "unsupported file type" in str(refused(path))
    assert "unsupported file type" in str(refused(b"URGENT ACTION", name))


def test_missing_file(tmp_path):
    assert "no such file" in str(refused(tmp_path / "nowhere.txt"))


def test_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.pdf"
    with path.open("wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: 300 MB declared, nothing written

    def no_reading(self):
        raise AssertionError("the file was read")

    monkeypatch.setattr(pathlib.Path, "read_bytes", no_reading)
    error = refused(path)
    assert isinstance(error, DocumentTooLarge)
    assert "300.0 MB" in str(error) and "10.0 MB" in str(error)


def test_upload_over_the_limit():
    assert "over the limit" in str(refused(b"x" * 2048, "ua.txt", max_bytes=1024))


def test_corrupt_pdf():
    assert "corrupt" in str(refused(pdfmaker.corrupt_pdf(), "ua.pdf"))


def test_file_named_pdf_that_is_not_one():
    assert "not a valid PDF" in str(refused(b"URGENT ACTION\nthis is text", "ua.pdf"))


def test_encrypted_pdf():
    assert "encrypted" in str(refused(pdfmaker.encrypted_pdf(SEED_TEXT), "ua.pdf"))


def test_pdf_of_scanned_images_has_no_text():
    message = str(refused(pdfmaker.image_pdf(), "scan.pdf"))
    assert "no text" in message and "scanned" in message


def test_pdf_with_too_many_pages():
    long_text = "\n".join(f"line {i}" for i in range(pdfmaker.LINES_PER_PAGE * 5))
    error = refused(pdfmaker.text_pdf(long_text), "long.pdf", max_pages=3)
    assert isinstance(error, DocumentTooLarge) and "5 pages" in str(error)


def test_docx_that_is_not_a_zip():
    assert "not a valid DOCX" in str(refused(b"PK but not really a zip file", "ua.docx"))


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hello")
    assert "not a valid DOCX" in str(refused(path))


def test_docx_zip_bomb_is_refused_from_its_declared_sizes(tmp_path):
    path = tmp_path / "bomb.docx"
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(150):
                member.write(chunk)
    assert path.stat().st_size < LIMITS["max_bytes"]
    assert "zip bomb" in str(refused(path))


@pytest.mark.parametrize(
    "data",
    ["URGENT ACTION café".encode("latin-1"), "URGENT ACTION ‘x’".encode("cp1252"), b"\x81\x82\x83 text"],
)
def test_text_in_an_unrecognised_encoding(data):
    assert "encoding is not recognised" in str(refused(data, "ua.txt"))


def test_binary_data_named_txt():
    assert "not a text file" in str(refused(b"URGENT\x00ACTION", "ua.txt"))
