"""Read the text of an Urgent Action from a .txt, .pdf, .docx, .html or .eml file or upload, refusing bad
input clearly."""

from __future__ import annotations

import dataclasses
import io
import logging
import pathlib
import warnings
import zipfile

from .errors import DocumentTooComplex, DocumentTooLarge, UnreadableDocument

SUPPORTED = (".txt", ".pdf", ".docx", ".html", ".htm", ".eml")
# A DOCX is a zip of XML that compresses well, but not a thousandfold: past these it is a zip bomb.
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_DOCX_RATIO = 200
MAX_DOCX_MEMBERS = 2000
# What reading may unpack (PDF page contents as often as pages draw them, DOCX XML parts) and the text it
# may give; the desk passes its settings (INGEST_MAX_UNPACKED_BYTES, INGEST_MAX_CHARS).
MAX_UNPACKED = 8 * 1024 * 1024
MAX_CHARS = 1_000_000
# How deep form XObjects nest inside one another before a page is taken as hostile.
MAX_FORM_DEPTH = 12


def read_text(path: pathlib.Path | str, *, max_bytes: int, max_pages: int, **limits: int) -> str:
    """The text of the file at `path`, read in this process; '-' reads text from standard input."""
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read(max_bytes + 1)
        return read_bytes(data, "-", max_bytes=max_bytes, max_pages=max_pages, **limits)
    data, name = load(path, max_bytes=max_bytes)
    return read_bytes(data, name, max_bytes=max_bytes, max_pages=max_pages, **limits)


def load(path: pathlib.Path | str, *, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of the file at `path` and its name, refused unread when too large or of the wrong type."""
    path = pathlib.Path(path)
    document_kind(path.name)
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
        return path.read_bytes(), path.name
    except OSError as e:
        raise UnreadableDocument(f"{path.name}: cannot be read ({e.strerror or e}).") from None


def read_bytes(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    max_pages: int,
    max_chars: int = MAX_CHARS,
    max_unpacked: int = MAX_UNPACKED,
) -> str:
    """The text of an uploaded document, read in this process; `filename` gives its type ('-' or no
    suffix: plain text). The desk calls `sandbox.read_document`, which runs this in a child process."""
    name = filename or "-"
    kind = document_kind(name)
    _check_size(name, len(data), max_bytes)
    if kind == ".pdf":
        text = _pdf_text(data, name, max_pages, max_chars=max_chars, max_unpacked=max_unpacked)
    elif kind == ".docx":
        text = _docx_text(data, name, max_chars=max_chars, max_unpacked=max_unpacked)
    elif kind in (".html", ".htm"):
        from .html_reader import page_text

        text = page_text(data, name, max_chars=max_chars)
    elif kind == ".eml":
        from .email_reader import email_text

        text = email_text(data, name, max_pages, max_chars=max_chars, max_unpacked=max_unpacked)
    else:
        text = decode_text(data, name)
    if len(text) > max_chars:
        raise _too_many_chars(name, max_chars)
    if not text.strip():
        raise UnreadableDocument(f"{name}: the document has no text.")
    return text


def document_kind(name: str) -> str:
    """The reader a file name calls for ('-' or no name: text); an unsupported type is refused."""
    if name in ("", "-"):
        return ".txt"
    suffix = pathlib.PurePath(name).suffix.lower()
    if suffix not in SUPPORTED:
        shown = suffix or "no extension"
        raise UnreadableDocument(
            f"{name}: unsupported file type ({shown}); use a .txt, .pdf, .docx, .html or .eml file."
        )
    return suffix


@dataclasses.dataclass
class Spent:
    """What the documents read before this one took of the limits they share: an email's attachments
    count their pages, unpacked bytes and characters together, so ten PDFs cannot take ten times the limit."""

    pages: int = 0
    unpacked: int = 0
    chars: int = 0


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise DocumentTooLarge(f"{name}: the file is {_mb(size)}, over the limit of {_mb(max_bytes)}.")
    if size == 0:
        raise UnreadableDocument(f"{name}: the file is empty.")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _too_many_chars(name: str, max_chars: int) -> DocumentTooComplex:
    return DocumentTooComplex(f"{name}: the document has more than {max_chars:,} characters of text.")


def _too_much_unpacked(name: str, what: str, max_unpacked: int) -> DocumentTooComplex:
    return DocumentTooComplex(f"{name}: {what} unpack to more than {_mb(max_unpacked)}, the limit.")


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


def _pdf_text(
    data: bytes, name: str, max_pages: int, *, max_chars: int, max_unpacked: int, spent: Spent | None = None
) -> str:
    spent = spent or Spent()
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableDocument(f"{name}: not a valid PDF file (corrupt or not a PDF).")
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    # No one stream may unpack past the limit, whatever its filter.
    caps = {
        key: max_unpacked
        for key in (
            "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
            "brotli_maximum_output_length", "jbig2_maximum_output_length",
            "array_based_stream_maximum_output_length", "stream_decoding_work_maximum_length",
        )
    }  # fmt: skip
    # pypdf reports recoverable damage through logging and warnings; the one line we raise is the report.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 10)
    try:
        with warnings.catch_warnings(), apply_configuration(**caps):
            warnings.simplefilter("ignore")
            try:
                reader = PdfReader(io.BytesIO(data), strict=False)
                encrypted = reader.is_encrypted
            except LimitReachedError:
                raise _too_much_unpacked(name, "its streams", max_unpacked) from None
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
            if spent.pages + pages > max_pages:
                before = f"; with the {spent.pages} before it, that is" if spent.pages else ","
                raise DocumentTooLarge(
                    f"{name}: the PDF has {pages} pages{before} over the limit of {max_pages}."
                )
            if pages == 0:
                raise UnreadableDocument(f"{name}: the PDF has no pages.")
            # Text extraction costs by the bytes of drawing it parses, and one stream can be drawn by
            # every page (a 20 KB file, 100 MB to parse): count each page's share before parsing any.
            drawn = spent.unpacked
            contents = "its pages' contents" + (" with the documents before it" if spent.unpacked else "")
            for page in reader.pages:
                try:
                    drawn += _drawn_bytes(page, max_unpacked - drawn)
                except (LimitReachedError, _OverBudget):
                    drawn = max_unpacked + 1
                except Exception:
                    raise UnreadableDocument(f"{name}: the PDF is corrupt and cannot be read.") from None
                if drawn > max_unpacked:
                    raise _too_much_unpacked(name, contents, max_unpacked)
            texts, length = [], spent.chars
            for page in reader.pages:
                try:
                    texts.append(_page_text(page, name, PdfReadError))
                except LimitReachedError:
                    raise _too_much_unpacked(name, contents, max_unpacked) from None
                length += len(texts[-1])
                if length > max_chars:
                    raise _too_many_chars(name, max_chars)
    finally:
        logger.setLevel(level)
    text = "\n\n".join(t.strip("\n") for t in texts)
    if not text.strip():
        raise UnreadableDocument(
            f"{name}: the PDF has no text to extract (it looks like scanned images); "
            "use a text PDF or a .docx."
        )
    spent.pages, spent.unpacked, spent.chars = spent.pages + pages, drawn, spent.chars + len(text)
    return text


class _OverBudget(Exception):
    """A page's drawing passed what was left of the limit; counting stops there."""


def _drawn_bytes(page, budget: int) -> int:  # type: ignore[no-untyped-def]
    """The bytes of content the page's text extraction parses: its content streams and, through every
    level of nesting, the form XObjects its resources hold (each once per page, as a lower bound)."""
    from pypdf.generic import ArrayObject, StreamObject

    def streams_of(contents):  # type: ignore[no-untyped-def]
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, ArrayObject):
            return [c.get_object() for c in contents]
        return [contents] if isinstance(contents, StreamObject) else []

    def forms_of(resources, depth: int):  # type: ignore[no-untyped-def]
        if depth > MAX_FORM_DEPTH:
            raise _OverBudget
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        for value in xobjects.values() if hasattr(xobjects, "values") else ():
            form = value.get_object()
            if isinstance(form, StreamObject) and form.get("/Subtype") == "/Form":
                yield form
                yield from forms_of(form.get("/Resources"), depth + 1)

    total = 0
    for stream in [*streams_of(page.get("/Contents")), *forms_of(page.get("/Resources"), 0)]:
        total += len(stream.get_data())
        if total > budget:
            raise _OverBudget
    return total


def _page_text(page, name: str, read_error: type[Exception]) -> str:  # type: ignore[no-untyped-def]
    from pypdf.errors import LimitReachedError

    # Layout mode keeps the blank lines between blocks (they part one official's address from the next);
    # the plain mode is the fallback for pages whose layout pypdf cannot work out. A limit reached is
    # no layout problem: it goes up as it is.
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except (MemoryError, LimitReachedError):
        raise
    except Exception:  # noqa: S110
        pass
    try:
        return page.extract_text() or ""
    except (MemoryError, LimitReachedError):
        raise
    except Exception:
        raise UnreadableDocument(f"{name}: the PDF is corrupt and its text cannot be read.") from None


def _docx_text(
    data: bytes, name: str, *, max_chars: int, max_unpacked: int, spent: Spent | None = None
) -> str:
    spent = spent or Spent()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UnreadableDocument(f"{name}: not a valid DOCX file (it is not a Word document).") from None
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise UnreadableDocument(f"{name}: not a valid DOCX file (no Word document inside).")
        # Judge the declared sizes before anything is inflated (zipfile stops a member at its declared
        # size, so a member cannot lie about it).
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
        # The ratio checks pass a huge document.xml packed beside a large stored (incompressible) part:
        # what is parsed as XML is what costs, so its unpacked size has its own limit.
        xml = spent.unpacked + sum(i.file_size for i in _xml_parts(archive, infos, name, max_unpacked))
        if xml > max_unpacked:
            what = "the DOCX's XML parts" + (" with the documents before it" if spent.unpacked else "")
            raise _too_much_unpacked(name, what, max_unpacked)
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = docx.Document(io.BytesIO(data))
        except PackageNotFoundError:
            raise UnreadableDocument(f"{name}: not a valid DOCX file.") from None
    except UnreadableDocument:
        raise
    except MemoryError:
        raise
    except Exception:
        raise UnreadableDocument(f"{name}: the DOCX is damaged and cannot be read.") from None
    lines, length = [], spent.chars
    for line in _docx_lines(document):
        lines.append(line)
        length += len(line) + 1
        if length > max_chars:
            raise _too_many_chars(name, max_chars)
    spent.unpacked, spent.chars = xml, length
    return "\n".join(lines)


def _xml_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, max_unpacked: int):  # type: ignore[no-untyped-def]
    """The members python-docx may parse as XML: by their content type in [Content_Types].xml, as it
    judges them, so a part cannot hide its XML behind another file extension."""
    from lxml import etree

    types_info = archive.getinfo("[Content_Types].xml")
    if types_info.file_size > max_unpacked:
        raise _too_much_unpacked(name, "the DOCX's XML parts", max_unpacked)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(archive.read(types_info), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError):
        raise UnreadableDocument(f"{name}: the DOCX is damaged and cannot be read.") from None
    defaults, overrides = {}, {}
    for element in root:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif tag == "Override":
            overrides[element.get("PartName", "").lstrip("/")] = element.get("ContentType", "")
    for info in infos:
        suffix = info.filename.rsplit(".", 1)[-1].lower() if "." in info.filename else ""
        content_type = overrides.get(info.filename) or defaults.get(suffix)
        # A part of no declared type counts as XML: better one refusal too many than a bomb let in.
        if content_type is None or "xml" in content_type or info.filename == "[Content_Types].xml":
            yield info


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
