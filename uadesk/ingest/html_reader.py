"""The readable text of a web page saved from a section's site (.html), as the lines a reader sees."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from .errors import UnreadableDocument
from .readers import Spent, _too_many_chars, decode_text

# Never the UA: code, styling, the page's own chrome (title, menus, footer) and forms (search, cookies).
SKIPPED = frozenset(
    {"head", "title", "script", "style", "noscript", "template", "nav", "footer", "form", "svg", "math",
     "iframe", "object", "canvas", "select", "textarea", "button", "dialog"}
)  # fmt: skip
# What may stand in a <head>, whose end tag is optional: any other tag ends it.
IN_HEAD = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})
# Blocks start a line; paragraphs and headings also stand apart by a blank line (it parts one official's
# address from the next, as in the PDFs).
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table", "address",
     "figure", "hr", "section", "article", "main", "header", "aside", "details", "fieldset"}
)  # fmt: skip
BLOCKS = PARAGRAPHS | frozenset(
    {"div", "li", "dd", "dt", "tr", "caption", "figcaption", "summary", "legend", "center", "hgroup",
     "body", "tbody", "thead", "tfoot", "option"}
)  # fmt: skip
# Elements without an end tag, or whose end tag may be left out: a `hidden` on them cannot be followed.
NO_END = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
     "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot", "html", "body", "head"}
)  # fmt: skip
BULLET, CELL = "• ", " | "
# The charset a page declares, in its first bytes, as a browser finds it.
PRESCAN = 4096
META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.+-]+)""", re.IGNORECASE)
XML_ENCODING = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([a-z0-9_:.+-]+)""", re.IGNORECASE)
# Browsers read pages labelled Latin-1 or ASCII as windows-1252 (the WHATWG Encoding standard), and a
# page cannot declare UTF-16 in its own bytes.
CHARSET_ALIASES = {"latin1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gbk",
                   "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}  # fmt: skip


def page_text(data: bytes, name: str, *, max_chars: int, charset: str | None = None) -> str:
    """The text of a web page's bytes: its BOM's or declared charset (`charset`, from a mail part's
    header, comes first), else UTF-8."""
    return html_text(decode_page(data, name, charset), name, max_chars=max_chars)


def decode_page(data: bytes, name: str, charset: str | None = None) -> str:
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data, name)
    codec = _codec(charset) or _codec(declared_charset(data))
    if codec is None:
        return decode_text(data, name)
    text = data.decode(codec, errors="replace")
    if "\x00" in text:
        raise UnreadableDocument(f"{name}: this is not a web page (it holds binary data).")
    return text


def declared_charset(data: bytes) -> str | None:
    head = data[:PRESCAN]
    match = XML_ENCODING.match(head) or META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        codec = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return CHARSET_ALIASES.get(codec, codec)


def html_text(html: str, name: str, *, max_chars: int, spent: Spent | None = None) -> str:
    """The page's lines: those of its <main>, else of its <article>s, else of all of it."""
    spent = spent or Spent()
    reader = _PageText(max_chars - spent.chars)
    try:
        # "<![CDATA[" and "<![if ...]>" are comments to the next ">" in HTML, as "<?" is to html.parser,
        # which (before Python 3.13.4) raises on the names it does not know.
        reader.feed(html.replace("<![", "<?["))
        reader.close()
    except AssertionError:
        raise UnreadableDocument(f"{name}: the web page is damaged and cannot be read.") from None
    for lines in reader.main, reader.articles, reader.page:
        if lines.over:
            raise _too_many_chars(name, max_chars)
        if lines.lines:
            text = lines.text()
            spent.chars += len(text)
            return text
    raise UnreadableDocument(f"{name}: the web page has no text to read.")


class _Lines:
    """Lines kept up to a number of characters; past it, only that it overflowed."""

    def __init__(self, max_chars: int) -> None:
        self.lines: list[str] = []
        self.chars, self.max_chars, self.over = 0, max_chars, False

    def add(self, line: str) -> None:
        if self.over:
            return
        if not line:
            if self.lines and self.lines[-1]:
                self.lines.append("")
            return
        self.chars += len(line) + 1
        if self.chars > self.max_chars:
            self.over, self.lines = True, []
        else:
            self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines).strip("\n")


class _Open:
    """An element being read through, closed by the end tag that balances its start tag."""

    def __init__(self, tag: str) -> None:
        self.tag, self.depth = tag, 1

    def start(self, tag: str) -> None:
        self.depth += tag == self.tag

    def end(self, tag: str) -> bool:
        self.depth -= tag == self.tag
        return self.depth == 0


class _PageText(HTMLParser):
    """Streams a page into lines for three readings at once: all of it, its <main>, its <article>s.

    It keeps no tree, only the few elements it is inside, so a page nested ten thousand deep costs
    no more than a flat one."""

    def __init__(self, max_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.main, self.articles = _Lines(max_chars), _Lines(max_chars), _Lines(max_chars)
        self._skip: _Open | None = None
        self._main: _Open | None = None
        self._article: _Open | None = None
        self._line: list[str] = []
        self._words = False  # the line being written has words
        self._pending = ""  # a bullet or cell separator, written before the line's next words
        self._lists = self._pre = 0

    # -------------------------------------------------------------- tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if self._skip.tag != "head" or tag in IN_HEAD:
                self._skip.start(tag)
                return
            self._skip = None  # the page's content has begun: the <head> was never closed
        if tag in SKIPPED or (tag not in NO_END and any(key == "hidden" for key, _ in attrs)):
            self._skip = _Open(tag)
            return
        for region in self._main, self._article:
            if region:
                region.start(tag)
        if tag == "main" or (not self._main and ("role", "main") in attrs):
            if not self._main:
                self._break(blank=True)
                self._main = _Open(tag)
        elif tag == "article" and not self._article:
            self._break(blank=True)
            self._article = _Open(tag)
        self._open(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if self._skip.end(tag):
                self._skip = None
            return
        self._close(tag)
        if self._article and self._article.end(tag):
            self._break(blank=True)
            self._article = None
        if self._main and self._main.end(tag):
            self._break(blank=True)
            self._main = None

    def _open(self, tag: str) -> None:
        if tag == "br":
            # A second <br> in a row is how older pages part paragraphs.
            self._break(blank=not self._words)
        elif tag == "li":
            self._break()
            self._pending = BULLET
        elif tag in ("td", "th"):
            self._pending = CELL if self._words else self._pending
        elif tag in BLOCKS:
            self._break(blank=tag in PARAGRAPHS and not self._lists)
        if tag in ("ul", "ol", "dl"):
            self._lists += 1
        elif tag == "pre":
            self._pre += 1

    def _close(self, tag: str) -> None:
        if tag in ("ul", "ol", "dl"):
            self._lists = max(0, self._lists - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag == "br":  # </br> is read as <br>, as browsers do
            self._break()
        elif tag in BLOCKS:
            self._break(blank=tag in PARAGRAPHS and not self._lists)

    # -------------------------------------------------------------- text

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = data.replace("\u00ad", "")  # soft hyphens: invisible, and they split words for the parser
        if not self._pre:
            self._write(data)
            return
        first, *rest = data.replace("\r\n", "\n").split("\n")
        self._write(first)
        for line in rest:
            self._break()
            self._write(line)

    def _write(self, text: str) -> None:
        if not text.strip():
            self._line.append(" ")
            return
        if self._pending:
            self._line.append(self._pending)
            self._pending = ""
        self._line.append(text)
        self._words = True

    def _break(self, *, blank: bool = False) -> None:
        if self._words:
            self._emit(" ".join("".join(self._line).split()))
            self._pending = ""
        self._line, self._words = [], False
        if blank:
            self._emit("")

    def _emit(self, line: str) -> None:
        self.page.add(line)
        if self._main:
            self.main.add(line)
        if self._article:
            self.articles.add(line)

    def close(self) -> None:
        # What is left unparsed at the end starts with a tag or comment never finished. HTML5 drops it
        # (Python 3.13.4's html.parser too); older ones retry it once for every "<" after it, so a few
        # thousand of them cost minutes.
        if self.rawdata.startswith("<"):
            self.rawdata = ""
        super().close()
        self._break()
