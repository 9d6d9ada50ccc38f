"""The web page and email readers: a UA saved from a section's site (.html) or sent by email (.eml)."""

import html
import io
import json
import pathlib
import subprocess
import time
from email import policy
from email.message import EmailMessage

import docx
import pytest

from uadesk.ingest.errors import DocumentTooComplex, DocumentTooLarge, IngestError
from uadesk.ingest.parser import parse
from uadesk.ingest.readers import read_bytes

from . import pdfmaker

HERE = pathlib.Path(__file__).parent
SEED_TEXT = (HERE / "corpus" / "xinjiang-2022.txt").read_text(encoding="utf-8")
SUBJECT = "UA 93/22: China: Missing and arbitrarily detained in Xinjiang"
LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pages": 20}
ZWNJ = "\u200c"


def read(data: bytes, name: str, **limits) -> str:
    return read_bytes(data, name, **{**LIMITS, **limits})


def refused(data: bytes, name: str, **limits) -> IngestError:
    with pytest.raises(IngestError) as e:
        read(data, name, **limits)
    message = str(e.value)
    assert message.startswith(f"{name}") and "\n" not in message and "Traceback" not in message
    return e.value


def targets_of(text: str) -> list[tuple[str, str, str | None]]:
    return [(t.role, t.name, t.country) for t in parse(text).targets]


def lines_of(text: str) -> str:
    """Text as a reader of a page gives it: whitespace collapsed in each line, one blank line at most."""
    lines: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n")


def page(body: str, *, head: str = '<meta charset="utf-8">', lang: str = "en") -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>{head}<title>Amnesty Section</title></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    ).encode()


def seed_page() -> bytes:
    """The seed UA as a section's site shows it: paragraphs, its bullets as a list, the site's chrome
    (menu, cookie banner, footer, scripts) around its <main>."""
    blocks = []
    for block in SEED_TEXT.split("\n\n"):
        lines = [html.escape(line) for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("• ") for line in lines):
            blocks.append("<ul>" + "".join(f"<li>{line[2:]}</li>\n" for line in lines) + "</ul>")
        elif len(lines) == 1 and lines[0].isupper():
            blocks.append(f"<h2>{lines[0]}</h2>")
        else:
            blocks.append("<p>" + "<br>\n".join(lines) + "</p>")
    return page(
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/act">Take action</a></li></ul></nav>\n'
        '<div class="cookies">We use cookies. <button>Accept all</button></div>\n'
        "<main>\n" + "\n".join(blocks) + "\n</main>\n"
        "<footer>© Amnesty Section 2022 · Privacy</footer>\n<script>track('pageview')</script>",
        head='<meta charset="utf-8"><style>body { font: sans-serif }</style><script src="/app.js"></script>',
    )


def mail(subject: str = SUBJECT, **headers: str) -> EmailMessage:
    message = EmailMessage()
    headers = {
        "From": "UA Coordinator <ua@amnesty.example>",
        "To": "section@amnesty.example",
        "Subject": subject,
        "Date": "Fri, 26 Aug 2022 10:00:00 +0000",
        **headers,
    }
    for key, value in headers.items():
        message[key] = value
    return message


def as_eml(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as it came over the wire


def seed_docx(text: str = SEED_TEXT) -> bytes:
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def attach_pdf(message: EmailMessage, data: bytes, filename: str = "UA 93-22.pdf") -> None:
    message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)


def attach_docx(message: EmailMessage, data: bytes, filename: str = "UA 93-22.docx") -> None:
    maintype, subtype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document".split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


COVER_NOTE = (
    "Dear colleagues,\n\nplease find attached the new UA.\n\nBest wishes,\nMaria\n"
    "-- \nMaria Rossi\nUA coordinator, Amnesty Section\n"
)


# ---------------------------------------------------------------- web pages


def test_a_page_reads_as_its_lines():
    body = """<main>
      <h1>URGENT ACTION</h1>
      <h2>Activist   held
         incommunicado</h2>
      <p>Reza was arrested<br>on 1 May 2022 in <b>Tehran</b>, and has not been seen since.</p>
      <p>Write to the authorities asking them to:</p>
      <ul><li>release him <i>now</i>;</li><li><p>let him see his family</p></li></ul>
      <table>
        <tr><th>Head of the Judiciary</th><td>Gholamhossein Mohseni Ejei</td></tr>
        <tr><td>Email</td><td>info@humanrights-iran.ir</td></tr>
      </table>
      <div>Tom &amp; Jerry&nbsp;&nbsp;&lt;3 caf&eacute; &#8216;quoted&#x2019;</div>
      <address>Embassy of Iran<br>16 Prince’s Gate<br>London SW7 1PT</address>
      <p>Deadline: 30 June 2022</p>
    </main>"""
    assert read(page(body), "ua.html").split("\n") == [
        "URGENT ACTION",
        "",
        "Activist held incommunicado",
        "",
        "Reza was arrested",
        "on 1 May 2022 in Tehran, and has not been seen since.",
        "",
        "Write to the authorities asking them to:",
        "",
        "• release him now;",
        "• let him see his family",
        "",
        "Head of the Judiciary | Gholamhossein Mohseni Ejei",
        "Email | info@humanrights-iran.ir",
        "",
        "Tom & Jerry <3 café ‘quoted’",
        "",
        "Embassy of Iran",
        "16 Prince’s Gate",
        "London SW7 1PT",
        "",
        "Deadline: 30 June 2022",
    ]


def test_the_seed_as_a_web_page_reads_as_the_seed():
    text = read(seed_page(), "xinjiang.html")
    assert text == lines_of(SEED_TEXT)
    assert targets_of(text) == targets_of(SEED_TEXT)


def test_scripts_styles_and_the_sites_chrome_are_dropped():
    body = """
    <header><nav><a href="/">Home</a> <a href="/donate">Donate</a></nav></header>
    <div id="cookie-banner">We use cookies to improve your experience.</div>
    <main>
      <h1>URGENT ACTION</h1>
      <noscript>Please enable JavaScript</noscript>
      <p>Free the student.</p><script>var secret = "<p>not text</p>";</script>
      <style>.x { color: red }</style>
      <template><p>A template</p></template>
      <svg viewBox="0 0 10 10"><text x="0" y="5">An icon</text></svg>
      <form action="/search"><label>Search the site</label><input name="q"><button>Go</button></form>
      <div hidden>A hidden dialog</div>
      <p>Write before 1 July.</p>
    </main>
    <footer><p>Amnesty International Section, registered charity</p></footer>"""
    text = read(
        page(body, head="<meta charset=utf-8><script>var x = 1 < 2;</script><style>p{}</style>"), "ua.html"
    )
    assert text == "URGENT ACTION\n\nFree the student.\n\nWrite before 1 July."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # <main> wins over everything around it, an <article> beside it included.
        ("<div>Menu</div><main><p>The UA</p></main><article><p>Related news</p></article>", "The UA"),
        ('<div>Menu</div><div role="main"><div><p>The UA</p></div></div><div>Sidebar</div>', "The UA"),
        # No <main>: the <article>s.
        ("<div>Cookie banner</div><article><p>The UA</p></article><aside>Share this</aside>", "The UA"),
        # Neither: all of the body.
        ("<div>Menu</div><p>The UA</p>", "Menu\n\nThe UA"),
        # An empty <main> (filled in by a script) is no reason to read nothing.
        ("<main></main><p>The UA</p>", "The UA"),
    ],
)
def test_the_main_part_of_the_page_is_preferred(body, expected):
    assert read(page(body), "ua.html") == expected


def test_a_head_without_its_end_tag_is_still_dropped():
    data = b"<html><head><title>Site title</title><meta charset=utf-8><p>The UA</p>"
    assert read(data, "ua.html") == "The UA"


FRENCH = "PRIÈRE D’AGIR : libérez-le — Département de la Sûreté"


@pytest.mark.parametrize(
    ("head", "encoding", "text"),
    [
        ('<meta charset="windows-1252">', "cp1252", FRENCH),
        # Browsers read Latin-1 as windows-1252, whose curly quotes and dashes pages labelled so use.
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252", FRENCH),
        ("<meta charset=iso-8859-15>", "iso-8859-15", "Amende : 500 €, Département"),
    ],
)
def test_a_page_in_its_declared_charset(head, encoding, text):
    data = page(f"<p>{text}</p>", head=head).decode().encode(encoding)
    assert read(data, "ua.htm") == text


def test_an_xhtml_page_declares_its_encoding_in_its_xml_declaration():
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>Café</p></body></html>'
    assert read(data.encode("latin-1"), "ua.html") == "Café"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_byte_order_mark_wins(encoding):
    data = page("<p>Café ‘x’</p>", head='<meta charset="windows-1252">').decode().encode(encoding)
    assert read(data, "ua.html") == "Café ‘x’"


def test_a_page_in_an_undeclared_charset_is_refused_not_guessed():
    data = "<html><body><p>Libérez-le</p></body></html>".encode("latin-1")
    assert "encoding is not recognised" in str(refused(data, "ua.html"))


def test_a_persian_page_keeps_its_zero_width_non_joiners():
    # می‌خواهیم ("we want") and آزادی‌اش ("his freedom") are written with a ZWNJ: without it the
    # letters join and the words are misspelled.
    sentence = f"ما می{ZWNJ}خواهیم آزادی{ZWNJ}اش را"
    data = page(f'<div dir="rtl"><h1>اقدام فوری</h1><p>{sentence}</p></div>', lang="fa")
    text = read(data, "fa.html")
    assert text == f"اقدام فوری\n\n{sentence}"
    assert text.count(ZWNJ) == 2


def test_a_page_with_no_text_is_refused_in_one_line():
    body = "<nav>Home</nav><script>render()</script><main>  <img src=x.png>  </main><footer>©</footer>"
    assert "the web page has no text" in str(refused(page(body), "empty.html"))


def test_a_page_past_the_limits_is_refused():
    data = page("<p>" + "word " * 5000 + "</p>")
    assert isinstance(refused(data, "big.html", max_bytes=1024), DocumentTooLarge)
    error = refused(data, "big.html", max_chars=1000)
    assert isinstance(error, DocumentTooComplex) and "1,000 characters" in str(error)


def test_a_deeply_nested_page_costs_no_more_than_a_flat_one():
    depth = 50_000
    data = b"<div><span>" * depth + b"<p>Deep text</p>" + b"</span></div>" * depth
    started = time.process_time()
    assert read(data, "deep.html") == "Deep text"
    assert time.process_time() - started < 20


@pytest.mark.parametrize(
    "junk",
    [
        "<a " * 50_000,  # tags never finished: html.parser (Python 3.13.0) retried each, for minutes
        "</nav><!--" * 20_000,  # comments never finished, with many ">" after them
        "<p>x <![foo[ y ]]> <![CDATA[z",  # html.parser 3.13.0 raises AssertionError on these
    ],
)
def test_a_broken_page_is_read_quickly_as_browsers_would(junk):
    started = time.process_time()
    text = read(f"<html><body><p>Before the junk</p>{junk}".encode(), "junk.html")
    assert text.startswith("Before the junk")
    assert time.process_time() - started < 5


# ---------------------------------------------------------------- emails


def test_an_email_with_the_ua_in_its_body():
    message = mail()
    message.set_content(SEED_TEXT, cte="quoted-printable")
    text = read(as_eml(message), "ua.eml")
    assert text.split("\n")[:3] == [SUBJECT, "", " URGENT ACTION"]
    assert text == f"{SUBJECT}\n\n{SEED_TEXT.rstrip()}"
    for header in ("ua@amnesty.example", "section@amnesty.example", "2022 10:00"):
        assert header not in text
    assert targets_of(text) == targets_of(SEED_TEXT)


def test_an_email_with_only_an_html_body():
    message = mail()
    message.set_content(seed_page().decode(), subtype="html", cte="base64")
    text = read(as_eml(message), "ua.eml")
    assert text == f"{SUBJECT}\n\n{lines_of(SEED_TEXT)}"
    assert "cookies" not in text and "track(" not in text


def test_the_html_body_is_read_when_the_plain_one_is_a_stub():
    message = mail()
    message.set_content("This email is best viewed in a browser: https://amnesty.example/ua/93-22\n")
    message.add_alternative(seed_page().decode(), subtype="html")
    assert read(as_eml(message), "ua.eml") == f"{SUBJECT}\n\n{lines_of(SEED_TEXT)}"


def test_the_plain_body_is_read_when_it_holds_the_ua():
    message = mail()
    message.set_content(SEED_TEXT)
    message.add_alternative(seed_page().decode().replace("<main>", "<main><p>HTML ONLY</p>"), subtype="html")
    text = read(as_eml(message), "ua.eml")
    assert "HTML ONLY" not in text and text.endswith(SEED_TEXT.rstrip())


def test_a_cover_note_and_a_pdf_give_the_pdfs_text():
    message = mail(subject=f"Fwd: {SUBJECT}")
    message.set_content(COVER_NOTE)
    attach_pdf(message, pdfmaker.text_pdf(SEED_TEXT))
    text = read(as_eml(message), "ua.eml")
    assert text.startswith(f"{SUBJECT}\n\n")  # the subject, less its "Fwd:"
    assert "please find attached" not in text and "Maria" not in text
    assert "Dear President Xi Jinping" in text
    assert targets_of(text) == targets_of(SEED_TEXT)


def test_a_docx_attachment_comes_after_a_body_of_substance():
    head, _, rest = SEED_TEXT.partition("Additional information\n")
    message = mail()
    message.set_content(head)
    attach_docx(message, seed_docx("Additional information\n" + rest))
    text = read(as_eml(message), "ua.eml")
    body_at, docx_at = text.index("Dear President Xi Jinping"), text.index("Additional information")
    assert body_at < docx_at
    assert text[:docx_at].endswith("Yours sincerely,\n\n")  # a blank line between the body and the file
    assert targets_of(text) == targets_of(SEED_TEXT)


def test_a_docx_attachment_named_but_sent_as_octet_stream():
    message = mail()
    message.set_content("See attached.")
    message.add_attachment(seed_docx(), maintype="application", subtype="octet-stream", filename="UA.docx")
    assert targets_of(read(as_eml(message), "ua.eml")) == targets_of(SEED_TEXT)


def test_a_forwarded_email_is_read():
    original = mail()
    original.set_content(SEED_TEXT)
    forward = mail(subject=f"Fwd: {SUBJECT}", From="Maria <maria@section.example>")
    forward.set_content("FYI, for this week's letter writing.\n")
    forward.add_attachment(original)  # message/rfc822
    text = read(as_eml(forward), "fwd.eml")
    assert text == f"{SUBJECT}\n\n{SEED_TEXT.rstrip()}"  # the subject said once, the note and headers gone


def test_a_forward_of_a_forward_with_the_ua_as_a_pdf():
    original = mail()
    original.set_content(COVER_NOTE)
    attach_pdf(original, pdfmaker.text_pdf(SEED_TEXT))
    inner = mail(subject=f"Fwd: {SUBJECT}")
    inner.set_content("See below.")
    inner.add_attachment(original)
    outer = mail(subject="Fw: this week")
    outer.set_content("For the group.")
    outer.add_attachment(inner)
    text = read(as_eml(outer), "fwd.eml")
    assert text.split("\n\n")[:2] == ["this week", SUBJECT]
    assert targets_of(text) == targets_of(SEED_TEXT)


def test_charsets_and_encoded_headers_are_decoded():
    sentence = f"ما می{ZWNJ}خواهیم آزادی{ZWNJ}اش را"
    message = mail(subject=f"اقدام فوری: آزادی{ZWNJ}اش")
    message.set_content(f"اقدام فوری\n\n{sentence}\n", cte="base64")
    text = read(as_eml(message), "fa.eml")
    assert b"=?utf-8?" in as_eml(message)  # the subject went as an RFC 2047 encoded word
    assert text == f"اقدام فوری: آزادی{ZWNJ}اش\n\nاقدام فوری\n\n{sentence}"

    message = mail(subject="Libérez-le")
    message.set_content("PRIÈRE D’AGIR : Département\n", charset="windows-1252", cte="quoted-printable")
    assert read(as_eml(message), "fr.eml") == "Libérez-le\n\nPRIÈRE D’AGIR : Département"


def test_a_flowed_body_is_read_as_it_was_typed():
    data = (
        b"From: a@amnesty.example\r\nSubject: UA\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="utf-8"; format=flowed\r\n\r\n'
        b"Please write to the Minister of Justice asking him to release the \r\n"
        b"student at once.\r\n>From the prison\r\n"
    )
    assert read(data, "ua.eml") == (
        "UA\n\nPlease write to the Minister of Justice asking him to release the student at once.\n"
        ">From the prison"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"URGENT ACTION\nFree the student.\n", "not an email"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not an email"),
        (b"From: a@amnesty.example\r\nSubject: UA 93/22\r\n\r\n\r\n", "the email has no text or PDF/DOCX"),
        (
            b"From: a@amnesty.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: image/png\r\nContent-Disposition: attachment; filename=logo.png\r\n\r\n"
            b"PNG\r\n--b--\r\n",
            "the email has no text or PDF/DOCX",
        ),
    ],
)
def test_an_email_without_a_ua_is_refused_in_one_line(data, message):
    assert message in str(refused(data, "bad.eml"))


def test_a_bad_attachment_is_named_in_the_message():
    message = mail()
    message.set_content(COVER_NOTE)
    attach_pdf(message, pdfmaker.encrypted_pdf(SEED_TEXT), filename="locked.pdf")
    error = str(refused(as_eml(message), "ua.eml"))
    assert error.startswith("ua.eml, attachment locked.pdf: ") and "encrypted" in error


def test_an_email_past_the_limits_is_refused():
    message = mail()
    message.set_content(SEED_TEXT)
    data = as_eml(message)
    assert isinstance(refused(data, "ua.eml", max_bytes=1024), DocumentTooLarge)
    error = refused(data, "ua.eml", max_chars=1000)
    assert isinstance(error, DocumentTooComplex) and "1,000 characters" in str(error)


def test_attachments_share_the_page_limit():
    three_pages = pdfmaker.text_pdf("\n".join(f"line {i}" for i in range(pdfmaker.LINES_PER_PAGE * 3)))
    message = mail()
    message.set_content(COVER_NOTE)
    attach_pdf(message, three_pages, filename="one.pdf")
    assert read(as_eml(message), "ua.eml", max_pages=5)
    attach_pdf(message, three_pages, filename="two.pdf")
    error = refused(as_eml(message), "ua.eml", max_pages=5)
    assert isinstance(error, DocumentTooLarge)
    assert str(error) == (
        "ua.eml, attachment two.pdf: the PDF has 3 pages; with the 3 before it, that is over the limit of 5."
    )


def test_attachments_share_the_character_limit():
    message = mail()
    message.set_content(COVER_NOTE)
    attach_pdf(message, pdfmaker.text_pdf(SEED_TEXT), filename="one.pdf")
    attach_docx(message, seed_docx(), filename="two.docx")
    limit = len(SEED_TEXT) + 2000  # either file alone fits; not both
    assert read(as_eml(message), "ua.eml", max_chars=10 * limit)
    error = refused(as_eml(message), "ua.eml", max_chars=limit)
    assert isinstance(error, DocumentTooComplex) and "characters" in str(error)


def test_an_email_of_thousands_of_parts_is_refused_unparsed():
    parts = b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n" * 20_000
    data = (
        b"From: a@amnesty.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + parts + b"--b--\r\n"
    )
    started = time.process_time()
    assert isinstance(refused(data, "parts.eml"), DocumentTooComplex)
    assert time.process_time() - started < 1


def test_parts_nested_past_any_use_are_refused():
    data = b"From: a@amnesty.example\r\nSubject: deep\r\n"
    for i in range(40):
        data += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
    data += b"Content-Type: text/plain\r\n\r\nhello\r\n" + b"".join(
        b"--b%d--\r\n" % i for i in range(39, -1, -1)
    )
    assert isinstance(refused(data, "deep.eml"), DocumentTooComplex)


# ---------------------------------------------------------------- end to end


def ingest(uadesk_bin, *args, env=None):
    return subprocess.run([uadesk_bin, "ingest", *map(str, args)], capture_output=True, env=env, timeout=120)


def cover_note_and_pdf() -> bytes:
    message = mail()
    message.set_content(COVER_NOTE)
    attach_pdf(message, pdfmaker.text_pdf(SEED_TEXT))
    return as_eml(message)


@pytest.mark.parametrize(
    ("name", "make"), [("xinjiang.html", seed_page), ("xinjiang.eml", cover_note_and_pdf)]
)
def test_the_command_prints_the_json_of_a_page_and_of_an_email(uadesk_bin, tmp_path, name, make):
    path = tmp_path / name
    path.write_bytes(make())
    result = ingest(uadesk_bin, path, "--json")
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout)
    assert document["kind"] and document["title"]
    assert "english@mail.gov.cn" in [email for target in document["targets"] for email in target["emails"]]


BAD_INPUTS = {
    "empty.eml": b"From: a@amnesty.example\r\nSubject: UA\r\n\r\n",
    "not-mail.eml": b"Pancakes\n\nMix flour, eggs and milk.\n",
    "blank.html": page("<nav>Home</nav><main><img src=x.png></main>"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_a_bad_page_or_email_gets_one_line_and_exit_2(uadesk_bin, process_env, tmp_path, name):
    from uadesk.actions.models import Action

    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    result = ingest(uadesk_bin, path, env=process_env)
    stderr = result.stderr.decode().strip()
    assert result.returncode == 2, stderr
    assert len(stderr.splitlines()) == 1 and stderr.startswith(f"CommandError: {path}: {name}: ")
    assert result.stdout == b""
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_staff_upload_an_email_and_get_a_draft(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from uadesk.actions.models import Action

    form = staff_client.get(reverse("ingest")).content.decode()
    assert 'accept=".txt,.pdf,.docx,.html,.htm,.eml,' in form and "an email saved as .eml" in form
    upload = SimpleUploadedFile("ua.eml", cover_note_and_pdf(), content_type="message/rfc822")
    response = staff_client.post(reverse("ingest"), {"document": upload})
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_action_change", args=[action.pk])
    assert action.source_text.startswith(SUBJECT)
    assert "english@mail.gov.cn" in [email for target in action.targets.all() for email in target.email_list]
