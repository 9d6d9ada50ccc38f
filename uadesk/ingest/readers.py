"""Read the text of an Urgent Action from a .txt, .pdf or .docx file or upload, refusing bad input clearly."""

from __future__ import annotations

import contextlib
import io
import logging
import pathlib
import warnings
import zipfile

from .errors import DocumentTooLarge, UnreadableDocument

SUPPORTED = (".txt", ".pdf", ".docx")
# A DOCX is a zip of XML that compresses well, but not a thousandfold: past these it is a zip bomb.
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_DOCX_RATIO = 200
MAX_DOCX_MEMBERS = 2000


def read_text(path: pathlib.Path | str, *, max_bytes: int, max_pages: int) -> str:
    """The text of the file at `path`; '-' reads text from standard input."""
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read(max_bytes + 1)
        return read_bytes(data, "-", max_bytes=max_bytes, max_pages=max_pages)
    path = pathlib.Path(path)
    kind = _kind(path.name)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableDocument(f"{path.name}: no such file.") from None
    except OSError as e:
        raise UnreadableDocument(f"{path.name}: cannot be read ({e.strerror or e}).") from None
    if path.is_dir():
        raise UnreadableDocument(f"{path.name}: is a folder, not a document.")
    # Checked before reading so a huge file is refused without being loaded.
    _check_size(path.name, size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"{path.name}: cannot be read ({e.strerror or e}).") from None
    return _read(data, path.name, kind, max_bytes=max_bytes, max_pages=max_pages)


def read_bytes(data: bytes, filename: str, *, max_bytes: int, max_pages: int) -> str:
    """The text of an uploaded document; `filename` gives its type ('-' or no suffix: plain text)."""
    name = filename or "-"
    kind = ".txt" if name == "-" else _kind(name)
    _check_size(name, len(data), max_bytes)
    return _read(data, name, kind, max_bytes=max_bytes, max_pages=max_pages)


def _kind(name: str) -> str:
    suffix = pathlib.PurePath(name).suffix.lower()
    if suffix not in SUPPORTED:
        shown = suffix or "no extension"
        raise UnreadableDocument(f"{name}: unsupported file type ({shown}); use a .txt, .pdf or .docx file.")
    return suffix


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise DocumentTooLarge(f"{name}: the file is {_mb(size)}, over the limit of {_mb(max_bytes)}.")
    if size == 0:
        raise UnreadableDocument(f"{name}: the file is empty.")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _read(data: bytes, name: str, kind: str, *, max_bytes: int, max_pages: int) -> str:
    if kind == ".pdf":
        text = _pdf_text(data, name, max_pages)
    elif kind == ".docx":
        text = _docx_text(data, name, max_bytes)
    else:
        text = decode_text(data, name)
    if not text.strip():
        raise UnreadableDocument(f"{name}: the document has no text.")
    return text


def decode_text(data: bytes, name: str = "-") -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused rather than guessed."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableDocument(f"{name}: the text encoding is not recognised (bad UTF-16).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableDocument(
            f"{name}: the text encoding is not recognised; save the file as UTF-8 and try again."
        ) from None
    if "\x00" in text:
        raise UnreadableDocument(f"{name}: this is not a text file (it holds binary data).")
    return text


def _pdf_text(data: bytes, name: str, max_pages: int) -> str:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableDocument(f"{name}: not a valid PDF file (corrupt or not a PDF).")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf reports recoverable damage through logging and warnings; the one line we raise is the report.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 10)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reader = PdfReader(io.BytesIO(data), strict=False)
                encrypted = reader.is_encrypted
            except Exception:
                raise UnreadableDocument(f"{name}: the PDF is corrupt and cannot be read.") from None
            if encrypted:
                raise UnreadableDocument(
                    f"{name}: the PDF is encrypted (password-protected); save an unlocked copy."
                )
            try:
                pages = len(reader.pages)
            except Exception:
                raise UnreadableDocument(f"{name}: the PDF is corrupt and cannot be read.") from None
            if pages > max_pages:
                raise DocumentTooLarge(f"{name}: the PDF has {pages} pages, over the limit of {max_pages}.")
            if pages == 0:
                raise UnreadableDocument(f"{name}: the PDF has no pages.")
            texts = []
            for page in reader.pages:
                texts.append(_page_text(page, name, PdfReadError))
    finally:
        logger.setLevel(level)
    text = "\n\n".join(t.strip("\n") for t in texts)
    if not text.strip():
        raise UnreadableDocument(
            f"{name}: the PDF has no text to extract (it looks like scanned images); "
            "use a text PDF or a .docx."
        )
    return text


def _page_text(page, name: str, read_error: type[Exception]) -> str:  # type: ignore[no-untyped-def]
    # Layout mode keeps the blank lines between blocks (they part one official's address from the next);
    # the plain mode is the fallback for pages whose layout pypdf cannot work out.
    with contextlib.suppress(Exception):
        return page.extract_text(extraction_mode="layout") or ""
    try:
        return page.extract_text() or ""
    except Exception:
        raise UnreadableDocument(f"{name}: the PDF is corrupt and its text cannot be read.") from None


def _docx_text(data: bytes, name: str, max_bytes: int) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UnreadableDocument(f"{name}: not a valid DOCX file (it is not a Word document).") from None
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise UnreadableDocument(f"{name}: not a valid DOCX file (no Word document inside).")
        # Judge the declared sizes before anything is inflated.
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        limit = max(MAX_DOCX_UNCOMPRESSED, 0)
        if len(infos) > MAX_DOCX_MEMBERS or total > limit or total / packed > MAX_DOCX_RATIO:
            raise UnreadableDocument(
                f"{name}: refused: the DOCX would expand to {_mb(total)} (a zip bomb, or far too large)."
            )
        for info in infos:
            if (
                info.file_size
                and info.compress_size
                and info.file_size / info.compress_size > MAX_DOCX_RATIO * 5
            ):
                raise UnreadableDocument(
                    f"{name}: refused: a part of the DOCX is compressed suspiciously well (zip bomb)."
                )
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = docx.Document(io.BytesIO(data))
        except PackageNotFoundError:
            raise UnreadableDocument(f"{name}: not a valid DOCX file.") from None
    except UnreadableDocument:
        raise
    except Exception:
        raise UnreadableDocument(f"{name}: the DOCX is damaged and cannot be read.") from None
    return "\n".join(_docx_lines(document))


def _docx_lines(document) -> list[str]:  # type: ignore[no-untyped-def]
    """Paragraphs in body order, with table cells read row by row, so addresses in tables keep their place."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.extend(Paragraph(child, document).text.split("\n"))
        elif tag == "tbl":
            table = Table(child, document)
            for row in table.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    lines.extend(p.text for p in cell.paragraphs)
                    lines.append("")
    return lines
