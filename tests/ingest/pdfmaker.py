"""Write small PDFs for the reader tests: text in any script, encrypted, image-only, corrupt."""

from __future__ import annotations

import io
import zlib

PAGE_W, PAGE_H = 595, 842
LINES_PER_PAGE = 60


def _obj(n: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % n + body + b"\nendobj\n"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"
    )


def _to_unicode_cmap() -> bytes:
    # CIDs are the UTF-16 code units themselves, so every BMP character maps to itself.
    ranges = b"\n".join(
        b"<%02X00> <%02XFF> <%02X00>" % (hi, hi, hi) for hi in range(256) if not 0xD8 <= hi <= 0xDF
    )
    count = 256 - 8
    chunks = []
    lines = ranges.split(b"\n")
    for i in range(0, count, 100):
        part = lines[i : i + 100]
        chunks.append(b"%d beginbfrange\n" % len(part) + b"\n".join(part) + b"\nendbfrange")
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + b"\n".join(chunks) + b"\nendcmap\n"
        b"CMapName currentdict /CMap defineresource pop\nend\nend"
    )


def _hex(line: str) -> bytes:
    units = line.encode("utf-16-be")
    return b"<" + units.hex().upper().encode() + b">"


def text_pdf(text: str) -> bytes:
    """A valid PDF whose pages show `text` line by line; blank lines leave a gap."""
    lines = text.split("\n")
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, max(len(lines), 1), LINES_PER_PAGE)] or [[""]]
    objects: dict[int, bytes] = {}
    # 1 catalog, 2 pages, 3 font, 4 descendant font, 5 ToUnicode, then content/page pairs.
    objects[3] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ArialUnicodeMS /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>"
    )
    objects[4] = (
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ArialUnicodeMS /CIDToGIDMap /Identity "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>"
    )
    objects[5] = _stream(_to_unicode_cmap())
    kids = []
    n = 6
    for page_lines in pages:
        ops = [b"BT /F1 9 Tf 11 TL 36 %d Td" % (PAGE_H - 40)]
        for line in page_lines:
            ops.append((_hex(line) + b" Tj T*") if line else b"T*")
        ops.append(b"ET")
        objects[n] = _stream(b"\n".join(ops))
        objects[n + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (PAGE_W, PAGE_H, n)
        )
        kids.append(n + 1)
        n += 2
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    return _assemble(objects)


def image_pdf() -> bytes:
    """A one-page PDF that holds only a picture, like a scanned page: no text to extract."""
    width = height = 8
    pixels = bytes((x * 31 + y * 17) % 256 for y in range(height) for x in range(width))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        4: _stream(b"q 500 0 0 700 40 70 cm /Im1 Do Q"),
        5: _stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width %d /Height %d "
            b"/ColorSpace /DeviceGray /BitsPerComponent 8 " % (width, height),
        ),
    }
    return _assemble(objects)


def encrypted_pdf(text: str, password: str = "secret") -> bytes:  # noqa: S107
    """The text PDF, encrypted with a user password through pypdf's writer."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text_pdf(text))).pages:
        writer.add_page(page)
    # RC4, the default: pypdf writes it without the optional cryptography package.
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """Starts like a PDF, then is garbage: no objects, no cross-reference table."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def _assemble(objects: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += _obj(n, objects[n])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)
