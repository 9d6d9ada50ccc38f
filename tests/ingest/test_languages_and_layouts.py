"""Issue 18: UAs in Spanish, French and German, the layouts of sections' web pages and of older UAs, a
draft for every UA (never a refusal), doubts where they are, and spelling kept in every script.

The documents here are written for the tests, in the shapes the corpus shows, with names and places of
their own: the parser must read them by their form, not by words it has seen."""

import datetime as dt
import json
import pathlib
import re

import pytest

from tests.ingest.test_parser import parsed, target
from uadesk.ingest import parser, vocabulary
from uadesk.ingest.errors import NotAnUrgentAction
from uadesk.ingest.parser import parse, parse_date

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent

FRENCH = """ACTION URGENTE

AU 41/26 Index : EUR 99/0101/2026

Action urgente : Une avocate détenue au secret

L'avocate Maëlle Ordonneau est détenue au secret depuis le 2 mars 2026. Elle risque la torture.

Adressez vos appels à :

Ministre de la Justice
M. Aurélien Vasseur
12 rue des Archives
75003 Paris, France
Courriel : ministre@justice.example

Copie à :

Ambassade de Ruritanie
4 avenue des Tilleuls
1000 Bruxelles, Belgique

Date limite : 23 septembre 2026

Monsieur le Ministre,

Je vous demande de libérer immédiatement et sans condition Maëlle Ordonneau.

Veuillez agréer, Monsieur le Ministre, l'expression de ma haute considération.
"""

SPANISH = """ACCIÓN URGENTE

AU 116/26 Índice: AMR 99/0202/2026

Acción urgente: Periodista amenazado de muerte

El periodista Ramiro Quesada Ibarra recibió amenazas de muerte el 3 de marzo de 2026. Ramiro Quesada Ibarra teme por su vida.

ESCRIBAN INMEDIATAMENTE, en español o en su propio idioma:

Fiscal General
Lic. Eduviges Salcedo Pardo
Avenida Central 45
Ciudad de Guatemala, Guatemala
Correo-e: fiscal@mp.example

Copias a:

Embajada de Guatemala
Calle Mayor 8
28013 Madrid, España

Envíen llamamientos antes del 23 de septiembre de 2026.

Señora Fiscal General:

Le insto a que proteja de inmediato a Ramiro Quesada Ibarra.

Atentamente,
"""

GERMAN = """EILAKTION

UA-Nr.: UA-033/2026 AI-Index: EUR 99/0303/2026

Eilaktion: Gewerkschafter in Haft

Der Gewerkschafter Tomasz Wierzbicki ist seit dem 4. März 2026 in Haft. Tomasz Wierzbicki droht Folter.

Appell an

Justizminister
Herrn Ludger Brandenstein
Hauptstraße 1
10117 Berlin, Deutschland

Bitte abschicken bis: 23. September 2026

Musterbrief

Sehr geehrter Herr Minister,

ich fordere Sie höflich auf, Tomasz Wierzbicki umgehend freizulassen.

Mit freundlichen Grüßen
"""


@pytest.mark.parametrize(
    "text, day",
    [
        ("Appeals until 23 September 2026", dt.date(2026, 9, 23)),
        ("Bitte abschicken bis: 23. September 2026", dt.date(2026, 9, 23)),
        ("Date limite : 23 septembre 2026", dt.date(2026, 9, 23)),
        ("Envíen llamamientos antes del 23 de septiembre de 2026", dt.date(2026, 9, 23)),
        ("This Urgent Action expires on June 1 2026.", dt.date(2026, 6, 1)),
        ("Até 3 de março de 2026", dt.date(2026, 3, 3)),
    ],
)
def test_dates_in_each_language(text, day):
    assert parse_date(text) == day


def test_a_french_ua_by_its_labels():
    doc = parse(FRENCH)
    data = doc.to_dict()
    assert doc.language == "fr"
    assert data["kind"] == "urgent_action" and data["ua_number"] == "41/26"
    assert data["title"] == "Une avocate détenue au secret"
    assert data["deadline"] == "2026-09-23"
    minister = target(data, "Aurélien Vasseur")
    assert (minister["role"], minister["title"], minister["country"]) == (
        "primary",
        "Ministre de la Justice",
        "FR",
    )
    assert minister["emails"] == ["ministre@justice.example"]
    [copy] = [t for t in data["targets"] if t["role"] == "copy"]
    assert copy["country"] == "BE"
    letter = data["model_letter"]
    assert letter["salutation"] == "Monsieur le Ministre"
    assert letter["closing"].startswith("Veuillez agréer")
    assert data["asks"] == ["libérer immédiatement et sans condition Maëlle Ordonneau."]
    assert [i["name"] for i in data["individuals"]] == ["Maëlle Ordonneau"]


def test_a_spanish_ua_by_its_labels():
    doc = parse(SPANISH)
    data = doc.to_dict()
    assert doc.language == "es"
    assert data["ua_number"] == "116/26" and data["index_number"] == "AMR 99/0202/2026"
    assert data["title"] == "Periodista amenazado de muerte"
    assert data["preferred_languages"] == ["es"]
    assert data["deadline"] == "2026-09-23"
    fiscal = target(data, "Eduviges Salcedo Pardo")
    assert fiscal["title"] == "Fiscal General" and fiscal["country"] == "GT"
    assert [t["country"] for t in data["targets"] if t["role"] == "copy"] == ["ES"]
    assert data["model_letter"]["salutation"] == "Señora Fiscal General"
    assert data["model_letter"]["closing"] == "Atentamente,"
    assert [i["name"] for i in data["individuals"]] == ["Ramiro Quesada Ibarra"]


def test_a_german_section_page_with_its_model_letter():
    doc = parse(GERMAN)
    data = doc.to_dict()
    assert doc.language == "de"
    assert data["ua_number"] == "033/2026" and data["deadline"] == "2026-09-23"
    assert data["title"] == "Gewerkschafter in Haft"
    minister = target(data, "Ludger Brandenstein")
    assert minister["title"] == "Justizminister" and minister["country"] == "DE"
    assert data["model_letter"]["salutation"] == "Sehr geehrter Herr Minister"
    assert data["model_letter"]["closing"] == "Mit freundlichen Grüßen"
    assert [i["name"] for i in data["individuals"]] == ["Tomasz Wierzbicki"]


# A section's web page: numbered steps instead of a heading, each official's contact block on one line,
# the model letter run into its label.
WEB_PAGE = """• Urgent Action

Urgent Action Update: TEACHERS HELD WITHOUT CHARGE (Ruritania: UA 12.26)

March 3, 2026

Teachers Anneli Korhonen and Piet Vandersteen remain held without charge. Anneli Korhonen and Piet Vandersteen must be released.

  1. Please take action as soon as possible. This Urgent Action expires on April 30, 2026.
  2. Write a letter in your own words or using the sample below as a guide to one or both government officials listed.
  3. Click here to let us know the actions you took on Urgent Action 12.26.
Minister of Education Borislav Vukovic Ministry of Education 14 Freedom Square, Strelsau, Ruritania Email: minister@edu.example Twitter: @RuritaniaEdu
Ambassador Ottokar Lindqvist Embassy of Ruritania 2200 Massachusetts Ave NW, Washington, DC 20008 Phone: 202 555 0100 I Fax: 202 555 0101 Salutation: Dear Ambassador

SAMPLE LETTER Dear Minister, I am writing to ask you to release the teachers Anneli Korhonen and Piet Vandersteen immediately and unconditionally, as they are held solely for their peaceful union work.
"""


def test_a_web_page_with_steps_and_run_together_contact_blocks():
    data = parsed(WEB_PAGE)
    assert data["kind"] == "update" and data["ua_number"] == "12.26"
    assert data["title"].startswith("TEACHERS HELD WITHOUT CHARGE")
    assert data["deadline"] == "2026-04-30"
    minister = target(data, "Borislav Vukovic")
    assert minister["title"] == "Minister of Education"
    assert minister["address_lines"] == ["Ministry of Education 14 Freedom Square, Strelsau, Ruritania"]
    assert minister["emails"] == ["minister@edu.example"] and minister["social"] == ["@RuritaniaEdu"]
    assert minister["salutation"] == "Dear Minister"  # the letter's greeting, which no one else has
    ambassador = target(data, "Ottokar Lindqvist")
    assert ambassador["title"] == "Ambassador" and ambassador["country"] == "US"
    assert (ambassador["phones"], ambassador["faxes"]) == (["202 555 0100"], ["202 555 0101"])
    assert ambassador["salutation"] == "Dear Ambassador"
    assert data["model_letter"]["salutation"] == "Dear Minister"
    assert data["model_letter"]["body"].startswith("I am writing to ask you")
    assert [i["name"] for i in data["individuals"]] == ["Anneli Korhonen", "Piet Vandersteen"]


# A section's letter page: the official's address, the letter's subject, the letter; nothing else.
LETTER_PAGE = """Minister of the Interior
Halvard Mørkeberg
Interior Ministry, 3 Castle Road

Fax: +45 1234 5678

Jonas Eriksen and Mira Dahl

Dear Minister,

I am writing to urge you to release Jonas Eriksen and Mira Dahl, who are held for a peaceful protest.

Yours sincerely,
"""


def test_a_letter_page_gives_a_draft_with_its_doubts_not_a_refusal():
    doc = parse(LETTER_PAGE)
    data = doc.to_dict()
    assert data["kind"] == "unknown" and data["title"] == "Jonas Eriksen and Mira Dahl"
    assert target(data, "Halvard Mørkeberg")["faxes"] == ["+45 1234 5678"]
    assert data["asks"] == [
        "I am writing to urge you to release Jonas Eriksen and Mira Dahl, who are held for a peaceful protest."
    ]
    about = {field for field, _ in doc.doubts}
    assert {"kind", "deadline", "preferred_languages"} <= about
    assert "The people at risk were found by their names in the text" in " ".join(doc.warnings)


def test_a_text_cut_off_says_where():
    doc = parse(WEB_PAGE.rstrip() + "\nThey were arrested on 2 March after a meeting at the union's")
    [(about, text)] = [(a, t) for a, t in doc.doubts if a == "document"]
    assert "cut off" in text and "meeting at the union's" in text
    assert not [a for a, _ in parse(WEB_PAGE).doubts if a == "document"]


@pytest.mark.parametrize(
    "text",
    [
        "Dear Sam,\n\nThanks for the lovely evening, see you next week.\n\nYours sincerely,\nAlex",
        "Urgent action needed on the roads.\n\nThe council will close the bridge on Monday.",
        "Minutes of the meeting of 3 March.\n\nPresent: the committee.",
    ],
)
def test_only_a_text_with_no_sign_of_a_ua_is_refused(text):
    with pytest.raises(NotAnUrgentAction):
        parse(text)


def test_the_zero_width_non_joiner_stays_in_persian_words_and_stray_ones_go():
    text = (
        "URGENT ACTION\n\nUA 1/26\n\nStudent held\n\nA student was arrested.\n\nTAKE ACTION\n\n"
        "Head of the Judiciary\nMahmoud Rahimi\nJudiciary Office, 4 Example Street\nTehran, Iran\n"
        "تهران، خیابان ولیعصر، دفتر اژه\u200cای\u200c \n\nDear Sir,\n\nPlease release the student.\n\n"
        "Yours sincerely,"
    )
    [native] = target(parsed(text), "Mahmoud Rahimi")["native_address_lines"]
    assert "اژه\u200cای" in native  # between two letters: it spells the word
    assert not native.endswith("\u200c")  # before a space: noise


def test_every_kind_of_section_has_its_reader_and_every_label_its_kind():
    assert set(parser.SECTION_READERS) == set(vocabulary.SECTION_ORDER)
    assert {kind for kind, _, _ in vocabulary.SECTION_LABELS} <= set(vocabulary.SECTION_ORDER)
    languages = {language for _, language, _ in vocabulary.SECTION_LABELS}
    assert {"en", "es", "fr", "de"} <= languages


def test_no_rule_is_keyed_on_a_corpus_documents_own_names():
    """The people and officials of the labelled corpus appear nowhere in the parser's modules: not in a
    pattern or a word list, and not in a comment's example either (those use names of their own)."""
    modules = ("parser.py", "vocabulary.py", "languages.py", "countries.py")
    source = "\n".join((ROOT / "uadesk" / "ingest" / name).read_text(encoding="utf-8") for name in modules)
    source_words = set(re.findall(r"[^\W\d_]+", source.casefold()))
    names = set()
    for answer in (HERE / "corpus").glob("*.expected.json"):
        expected = json.loads(answer.read_text(encoding="utf-8"))
        for person in expected["individuals"] + expected["targets"]:
            names.update(w for w in re.findall(r"[^\W\d_]+", person["name"].casefold()) if len(w) >= 4)
    assert len(names) > 50 and not (names & source_words), sorted(names & source_words)


# The worked example of docs/design.md: Portuguese labels added as rows of vocabulary.py, nothing else.
PORTUGUESE = """AÇÃO URGENTE

AU 58/26 Índice: AMR 99/0404/2026

Ação urgente: Líder indígena ameaçada

A líder indígena Iracema Tupinambá Correia recebeu ameaças de morte em 2 de março de 2026. Iracema Tupinambá Correia precisa de proteção.

Envie apelos para:

Ministro da Justiça
Sr. Valdemar Coutinho Leal
Esplanada dos Ministérios, Bloco T
70064-900 Brasília, Brasil
E-mail: ministro@justica.example

Cópias para:

Embaixada do Brasil
Rua Antero de Quental 12
1150-041 Lisboa, Portugal

Envie apelos até 23 de setembro de 2026.

Excelentíssimo Senhor Ministro,

Peço-lhe que garanta a proteção de Iracema Tupinambá Correia. Por favor, investigue as ameaças.

Atenciosamente,
"""


def test_a_portuguese_ua_read_by_the_rows_added_for_it():
    doc = parse(PORTUGUESE)
    data = doc.to_dict()
    assert doc.language == "pt"
    assert data["kind"] == "urgent_action" and data["ua_number"] == "58/26"
    assert data["title"] == "Líder indígena ameaçada"
    assert data["deadline"] == "2026-09-23"
    minister = target(data, "Valdemar Coutinho Leal")
    assert (minister["title"], minister["country"]) == ("Ministro da Justiça", "BR")
    assert [t["country"] for t in data["targets"] if t["role"] == "copy"] == ["PT"]
    assert data["model_letter"]["salutation"] == "Excelentíssimo Senhor Ministro"
    assert data["model_letter"]["closing"] == "Atenciosamente,"
    assert [i["name"] for i in data["individuals"]] == ["Iracema Tupinambá Correia"]


def test_people_marked_m_or_f_are_the_people_at_risk_each_named_once():
    text = LETTER_PAGE.replace(
        "I am writing to urge you",
        "The following students are held:\n\nOla Nordmann (m) Kari Hansen (f) Per Olsen Lie (m)\n\n"
        "I am writing to urge you",
    )
    names = [i["name"] for i in parsed(text)["individuals"]]
    assert {"Ola Nordmann", "Kari Hansen", "Per Olsen Lie"} <= set(names)
    assert "Olsen Lie" not in names and "Kari Hansen Per" not in names
