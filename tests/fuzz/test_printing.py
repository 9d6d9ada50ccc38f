"""The PDF maker on any words: a PDF or PrintError, and Typst or PDF syntax in a letter prints as text."""

import datetime
import io

import pypdf
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from uadesk.delivery.printing import Address, PrintError, PrintLetter, labels_pdf

from .properties import PDF_ACTIONS, check_letter_pdf
from .strategies import TYPST, hostile_text

LANGUAGES = ["en", "fr", "zh", "ar", "fa", "he", "ru", "hi", "th", "ja", "ko", "en-US", "", "und", "x", "12"]
words = st.one_of(st.text(max_size=60), hostile_text)
addresses = st.builds(
    Address,
    name=words,
    lines=st.lists(words, max_size=6),
    native_lines=st.lists(words, max_size=4),
    native_language=st.one_of(st.none(), st.sampled_from(LANGUAGES)),
)


def assert_is_a_pdf(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    return reader


@settings(max_examples=50)
@given(
    recipient=addresses,
    sender_lines=st.lists(words, max_size=4),
    salutation=words,
    body=words,
    closing=words,
    signature=words,
    language=st.sampled_from(LANGUAGES),
    envelope=st.sampled_from([None, "DL", "C5"]),
)
def test_letter_pdf_of_any_words(recipient, sender_lines, salutation, body, closing, signature, language,
                                 envelope):  # fmt: skip
    letter = PrintLetter(recipient=recipient, sender_lines=sender_lines, date=datetime.date(2022, 9, 1),
                         salutation=salutation, body=body, closing=closing, signature=signature,
                         language=language)  # fmt: skip
    event("printed" if check_letter_pdf(letter, envelope) else "refused")


@settings(max_examples=30)
@given(st.lists(addresses, max_size=4), st.booleans())
def test_labels_pdf_of_any_addresses(addresses, outlines):
    try:
        pdf = labels_pdf(addresses, outlines=outlines)
    except PrintError as error:
        assert "\n" not in str(error)
        event("refused")
        return
    event("printed")
    assert_is_a_pdf(pdf)


SYNTAX = [fragment for fragment in TYPST if fragment.strip()]
latin_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


@settings(max_examples=40)
@given(st.lists(st.one_of(st.sampled_from(SYNTAX), latin_word), min_size=1, max_size=25))
@example(["%PDF-1.7", "/JavaScript", "/OpenAction", "<< /S /JavaScript /JS (app.alert(1)) >>"])
@example(['#read("/etc/passwd")', '#import "/etc/passwd"', "#set page(width: 1pt)", "$x^2$", "]"])
def test_typst_and_pdf_syntax_in_a_letter_prints_as_text(pieces):
    body = " ".join(pieces)
    name = " ".join(pieces[:3])
    letter = PrintLetter(
        recipient=Address(name, [body[:80] or "Street"]), sender_lines=[name, "Lyon"],
        date=datetime.date(2022, 9, 1), salutation=f"Dear {name},", body=body, closing="Yours,",
        signature=name, language="en",
    )  # fmt: skip
    pdf = check_letter_pdf(letter, envelope="DL")
    reader = assert_is_a_pdf(pdf)
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert "".join(body.split()) in text  # the words as typed, not read as markup
    # Nothing in the file runs or acts on opening (check_letter_pdf looked for actions in the raw
    # bytes): the words went into compressed text streams, not into the PDF's own syntax.
    assert not PDF_ACTIONS.search(pdf)
    assert reader.trailer["/Root"].keys() <= {"/Type", "/Pages", "/Metadata", "/Lang", "/MarkInfo",
                                               "/StructTreeRoot", "/ViewerPreferences", "/PageLabels",
                                               "/Names", "/Outlines", "/PageMode"}  # fmt: skip
    # And no file of the machine the desk runs on found its way in.
    assert b"root:x:0:0" not in pdf
