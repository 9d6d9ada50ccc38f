"""The parser: the seed document field by field, each way real UAs vary, and text that is not a UA."""

import json
import pathlib

import jsonschema
import pytest

from uadesk.ingest.countries import country_in
from uadesk.ingest.errors import IngestError, NotAnUrgentAction
from uadesk.ingest.languages import languages_in, native_language
from uadesk.ingest.parser import parse, parse_date

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
SEED = HERE / "corpus" / "xinjiang-2022.txt"
SCHEMA = json.loads(
    (ROOT / "uadesk" / "ingest" / "schema" / "urgent-action.schema.json").read_text(encoding="utf-8")
)


def parsed(text: str) -> dict:
    doc = parse(text).to_dict()
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    return doc


def target(doc: dict, name: str) -> dict:
    return next(t for t in doc["targets"] if t["name"] == name)


def ua(*parts: str) -> str:
    """A small UA in the current layout, built from the parts each test cares about."""
    return "\n\n".join(parts)


LETTER = """Dear Minister,

I am concerned that the human rights defender was detained without charge.

I urge you to:
• Release him immediately and unconditionally;
• Ensure he has access to a lawyer of his choice.

Yours sincerely,"""


# ---------------------------------------------------------------- the seed


def test_seed_matches_its_hand_labelled_answer_exactly():
    expected = json.loads((HERE / "corpus" / "xinjiang-2022.expected.json").read_text(encoding="utf-8"))
    got = parsed(SEED.read_text(encoding="utf-8"))
    for key in ("kind", "title", "ua_number", "index_number", "issued_on", "summary", "individuals"):
        assert got[key] == expected[key], key
    assert got["targets"] == expected["targets"]
    assert got["model_letter"] == expected["model_letter"]
    for key in ("asks", "preferred_languages", "deadline", "previous_ua_urls", "delivery_notes", "warnings"):
        assert got[key] == expected[key], key


def test_seed_output_has_every_key_of_the_contract():
    got = parsed(SEED.read_text(encoding="utf-8"))
    assert set(got) == set(SCHEMA["required"])
    for t in got["targets"]:
        assert set(t) == set(SCHEMA["properties"]["targets"]["items"]["required"])


def test_windows_line_endings_and_odd_spacing_give_the_same_result():
    text = SEED.read_text(encoding="utf-8")
    messy = "\ufeff" + text.replace("\n", "\r\n").replace("Xi Jinping", "Xi\u00a0 Jinping")
    assert parsed(messy)["targets"] == parsed(text)["targets"]


# ---------------------------------------------------------------- header forms


def test_older_header_with_ua_number_index_and_date():
    text = ua(
        "UA: 92/21 Index: ASA 17/1234/2021 China Date: 23 September 2021",
        "URGENT ACTION",
        "LAWYER DETAINED INCOMMUNICADO",
        "A human rights lawyer has been held without access to his family since 1 September.",
        "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER",
        "Minister of Public Security\nWang Xiaohong\n14 Dongchang’an Jie\nBeijing Shi 100741\n"
        "People’s Republic of China",
        LETTER,
    )
    doc = parsed(text)
    assert doc["ua_number"] == "92/21"
    assert doc["index_number"] == "ASA 17/1234/2021"
    assert doc["issued_on"] == "2021-09-23"
    assert doc["title"] == "LAWYER DETAINED INCOMMUNICADO"
    assert doc["kind"] == "urgent_action"
    assert doc["summary"].startswith("A human rights lawyer")


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (
            "URGENT ACTION\nFURTHER INFORMATION ON UA: 92/21 Index: ASA 17/1300/2021 China",
            "further_information",
        ),
        ("UA update\nURGENT ACTION", "update"),
        ("URGENT ACTION\nFIRST UA UPDATE", "update"),
        ("URGENT ACTION", "urgent_action"),
    ],
)
def test_kind_from_the_header(header, kind):
    text = ua(
        header,
        "STUDENT SENTENCED",
        "A student was sentenced to ten years in prison on 3 May.",
        "TAKE ACTION",
        "Minister of Justice\nAmina Diallo\nBP 1234\nNiamey, Niger",
        LETTER,
    )
    doc = parsed(text)
    assert doc["kind"] == kind
    if "92/21" in header:
        assert doc["ua_number"] == "92/21"


def test_title_after_the_ua_number_on_one_line():
    text = ua(
        "UA 229/10 Risk of forced eviction",
        "The community has been told it will be evicted next week without consultation.",
        "Mayor of the City\nEduardo Paes\nRua Afonso Cavalcanti 455\nRio de Janeiro RJ 20211-901, Brazil",
        LETTER,
    )
    doc = parsed(text)
    assert doc["ua_number"] == "229/10"
    assert doc["title"] == "Risk of forced eviction"


# ---------------------------------------------------------------- targets


def test_two_primary_targets_each_with_its_own_salutation():
    text = ua(
        "URGENT ACTION",
        "TWO ACTIVISTS AT RISK OF TORTURE",
        "Two activists were arrested at a peaceful protest and are held incommunicado.",
        "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER",
        "Minister of Interior\nMahmoud Tawfik\nMinistry of Interior\nNew Cairo, Egypt\n"
        "Email: center@moi.gov.eg\n"
        "Salutation: Dear Minister",
        "Public Prosecutor\nHamada al-Sawy\nOffice of the Public Prosecutor\nMadinat al-Rehab, Cairo, Egypt\n"
        "Fax: +202 2577 4716\nSalutation: Dear Counsellor",
        LETTER,
    )
    doc = parsed(text)
    primaries = [t for t in doc["targets"] if t["role"] == "primary"]
    assert [t["name"] for t in primaries] == ["Mahmoud Tawfik", "Hamada al-Sawy"]
    assert [t["salutation"] for t in primaries] == ["Dear Minister", "Dear Counsellor"]
    assert [t["title"] for t in primaries] == ["Minister of Interior", "Public Prosecutor"]
    assert primaries[0]["emails"] == ["center@moi.gov.eg"] and primaries[0]["faxes"] == []
    assert primaries[1]["faxes"] == ["+202 2577 4716"] and primaries[1]["emails"] == []
    assert {t["country"] for t in primaries} == {"EG"}
    assert doc["model_letter"]["salutation"] == "Dear Minister"


def test_asks_are_the_list_items_after_i_urge_you_to():
    doc = parsed(
        ua(
            "URGENT ACTION",
            "DEFENDER DETAINED",
            "A defender is detained.",
            "TAKE ACTION",
            "Minister of Justice\nAmina Diallo\nBP 1234\nNiamey, Niger",
            LETTER,
        )
    )
    assert doc["asks"] == [
        "Release him immediately and unconditionally;",
        "Ensure he has access to a lawyer of his choice.",
    ]
    assert doc["model_letter"]["closing"] == "Yours sincerely,"
    assert "Release him immediately" in doc["model_letter"]["body"]


def execution_ua(letter_body: str) -> dict:
    return parsed(
        ua(
            "URGENT ACTION",
            "MAN AT RISK OF EXECUTION",
            "A man faces execution.",
            "TAKE ACTION",
            "President\nJoseph Boakai\nExecutive Mansion\nMonrovia, Liberia",
            f"Dear President,\n\n{letter_body}\n\nYours sincerely,",
        )
    )


def test_an_ask_inside_the_sentence():
    doc = execution_ua("I urge you to quash the death sentence and order a fair retrial.")
    # Kept from its verb on; a section's letter page, with no list of demands, keeps such sentences whole
    # (tests/ingest/test_languages_and_layouts.py).
    assert doc["asks"] == ["quash the death sentence and order a fair retrial."]


def test_an_ask_inside_another_sentence_is_kept_from_its_verb():
    doc = execution_ua(
        "He was sentenced after an unfair trial, and I ask you to order a fair retrial. "
        "Therefore, I call on you to commute the sentence."
    )
    assert doc["asks"] == ["order a fair retrial.", "commute the sentence."]


def test_missing_email_fax_and_salutation_are_empty_and_warned():
    letter = "I am writing to ask for the release of the journalist.\n\nYours sincerely,"
    doc = parsed(
        ua(
            "URGENT ACTION",
            "JOURNALIST JAILED",
            "A journalist was jailed for a post.",
            "TAKE ACTION",
            "Prime Minister\nAbiy Ahmed\nOffice of the Prime Minister\nAddis Ababa, Ethiopia",
            letter,
        )
    )
    t = target(doc, "Abiy Ahmed")
    assert t["emails"] == [] and t["faxes"] == [] and t["salutation"] is None
    assert t["country"] == "ET"
    assert any("Abiy Ahmed" in w and "salutation" in w for w in doc["warnings"])
    assert any("model letter" in w for w in doc["warnings"])


def test_address_on_one_line_and_several_contacts_on_one_line():
    text = ua(
        "URGENT ACTION",
        "PROTESTER FACES 15 YEARS",
        "A protester was charged for taking part in a peaceful demonstration.",
        "TAKE ACTION",
        "Prosecutor General\nIgor Krasnov\nul. Bolshaya Dmitrovka 15a, Moscow 125993, Russian Federation\n"
        "Fax: +7 495 987 5841 Email: info@genproc.gov.ru",
        LETTER,
    )
    t = target(parsed(text), "Igor Krasnov")
    assert t["address_lines"] == ["ul. Bolshaya Dmitrovka 15a, Moscow 125993, Russian Federation"]
    assert t["country"] == "RU"
    assert t["faxes"] == ["+7 495 987 5841"]
    assert t["emails"] == ["info@genproc.gov.ru"]


@pytest.mark.parametrize(
    ("block", "country", "language"),
    [
        (
            "Head of the Judiciary\nGholamhossein Mohseni Ejei\nc/o Embassy of Iran to the European Union\n"
            "Avenue Franklin Roosevelt No. 15, 1050 Brussels, Belgium\n"
            "In Persian:\nتهران، خیابان ولیعصر، قوه قضاییه",
            "BE",
            "fa",
        ),
        (
            "King of Saudi Arabia\nSalman bin Abdul Aziz Al Saud\nOffice of His Majesty the King\n"
            "Riyadh, Saudi Arabia\n"
            "الرياض، المملكة العربية السعودية",
            "SA",
            "ar",
        ),
        (
            "Prosecutor General\nIgor Krasnov\nul. Bolshaya Dmitrovka 15a\n"
            "Moscow 125993, Russian Federation\n"
            "ул. Большая Дмитровка, 15а, Москва, 125993",
            "RU",
            "ru",
        ),
        (
            "Prosecutor General\nAndriy Kostin\n13/15 Riznytska Street\nKyiv 01011, Ukraine\n"
            "вул. Різницька, 13/15, Київ, 01011",
            "UA",
            "uk",
        ),
    ],
)
def test_native_script_addresses_and_their_language(block, country, language):
    doc = parsed(
        ua(
            "URGENT ACTION",
            "PRISONER AT RISK",
            "A prisoner is at risk of torture.",
            "TAKE ACTION",
            block,
            LETTER,
        )
    )
    t = next(t for t in doc["targets"] if t["role"] == "primary")
    assert t["native_address_lines"] and t["native_language"] == language
    assert t["country"] == country


def test_native_language_from_script_and_country():
    assert native_language("تهران، خیابان ولیعصر", "IR") == "fa"
    assert native_language("القاهرة", "EG") == "ar"
    assert native_language("Москва", "RU") == "ru"
    assert native_language("Минск", "BY") == "be"
    assert native_language("北京市", "CN") == "zh"
    assert (
        native_language("東京都千代田区永田町", "JP") == "zh" or native_language("とうきょう", "JP") == "ja"
    )
    assert native_language("서울특별시", "KR") == "ko"
    assert native_language("Beijing", "CN") is None


def test_copies_to_diplomatic_representatives_in_several_forms():
    for heading in (
        "ALSO SEND COPIES TO DIPLOMATIC REPRESENTATIVES ACCREDITED TO YOUR COUNTRY",
        "Send copies to:",
        "And copies to:",
        "Copies to:",
    ):
        text = ua(
            "URGENT ACTION",
            "WOMAN DETAINED",
            "A woman human rights defender was detained for her activism.",
            "TAKE ACTION",
            "President\nEmmerson Mnangagwa\nMunhumutapa Building\nHarare, Zimbabwe",
            LETTER,
            heading,
            "Ambassador Tadeous Tafirenyika Chifamba\nEmbassy of the Republic of Zimbabwe\n"
            "1608 New Hampshire Ave NW\nWashington DC 20009\nFax: +1 202 483 9326\n"
            "Email: info@zimembassy.us\nSalutation: Your Excellency",
        )
        doc = parsed(text)
        copy = target(doc, "Tadeous Tafirenyika Chifamba")
        assert copy["role"] == "copy", heading
        assert copy["country"] == "US"
        assert copy["address_lines"][0] == "Embassy of the Republic of Zimbabwe"
        assert copy["salutation"] == "Your Excellency"


def test_additional_targets_as_full_blocks_and_embassies_as_copies():
    text = ua(
        "URGENT ACTION",
        "STUDENTS EXPELLED AND DETAINED",
        "Three students were detained after a sit-in on campus.",
        "TAKE ACTION",
        "President\nAlassane Ouattara\nPalais de la Présidence\nAbidjan, Côte d'Ivoire",
        LETTER,
        "ADDITIONAL TARGETS",
        "Minister of Justice\nJean Sansan Kambilé\nBP V 107\nAbidjan, Côte d'Ivoire\n"
        "Email: info@justice.gouv.ci",
        "H.E. Mr Diarra Ibrahima\nEmbassy of Côte d'Ivoire\n2 Upper Belgrave Street\nLondon SW1X 8BJ",
    )
    doc = parsed(text)
    assert target(doc, "Jean Sansan Kambilé")["role"] == "additional"
    assert target(doc, "Jean Sansan Kambilé")["country"] == "CI"
    embassy = target(doc, "Diarra Ibrahima")
    assert embassy["role"] == "copy" and embassy["honorific"] == "H.E. Mr" and embassy["country"] == "GB"


# ---------------------------------------------------------------- dates, languages, countries


@pytest.mark.parametrize(
    "written",
    [
        "23 September 2022",
        "September 23, 2022",
        "23/09/2022",
        "23rd September 2022",
        "2022-09-23",
        "23 Sept 2022",
        "23. September 2022",
    ],
)
def test_deadline_formats(written):
    text = ua(
        "URGENT ACTION",
        "ACTIVIST DETAINED",
        "An activist is detained.",
        "TAKE ACTION",
        "President\nJoseph Boakai\nExecutive Mansion\nMonrovia, Liberia",
        LETTER,
        f"PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: {written}",
    )
    assert parsed(text)["deadline"] == "2022-09-23"


def test_dates_day_first_unless_impossible():
    assert parse_date("01/02/2023").isoformat() == "2023-02-01"
    assert parse_date("12/31/2023").isoformat() == "2023-12-31"
    assert parse_date("no date here") is None


@pytest.mark.parametrize(
    ("written", "codes"),
    [
        ("Arabic, English, French or your own language", ["ar", "en", "fr"]),
        ("Chinese, English", ["zh", "en"]),
        ("Farsi or English", ["fa", "en"]),
        ("Spanish", ["es"]),
        ("Russian, Ukrainian, English", ["ru", "uk", "en"]),
    ],
)
def test_preferred_languages(written, codes):
    assert languages_in(written) == codes
    text = ua(
        "URGENT ACTION",
        "ACTIVIST DETAINED",
        "An activist is detained.",
        "TAKE ACTION",
        "President\nJoseph Boakai\nExecutive Mansion\nMonrovia, Liberia",
        LETTER,
        f"PREFERRED LANGUAGE TO ADDRESS TARGET: {written}",
    )
    assert parsed(text)["preferred_languages"] == codes


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Zhongnanhai\nXichangan’jie Xichengqu, Beijing Shi 100017\nPeople’s Republic of China", "CN"),
        ("Embassy of the People's Republic of China\n49-51 Portland Place W1B 1JL", "GB"),
        ("1600 Pennsylvania Ave NW\nWashington, DC 20500", "US"),
        ("Palacio Nacional\nCiudad de México, México", "MX"),
        ("Office of the President\nNaypyidaw, Myanmar", "MM"),
        ("Kurdistan Region of Iraq, Erbil", "IQ"),
        ("Avenue de la République\nKinshasa/Gombe, Democratic Republic of the Congo", "CD"),
        ("Tegucigalpa", "HN"),
        ("Nowhere Street 1", None),
    ],
)
def test_country_from_the_address(address, code):
    assert country_in(address) == code


# ---------------------------------------------------------------- not a UA


@pytest.mark.parametrize("text", ["", "   \n\n  \t", "\ufeff"])
def test_empty_text_is_refused(text):
    with pytest.raises(NotAnUrgentAction) as e:
        parse(text)
    assert "empty" in str(e.value)


@pytest.mark.parametrize(
    "text",
    [
        "Chocolate cake\n\nMix the flour and the sugar, add three eggs and bake for forty minutes.",
        "Minutes of the meeting of 3 May\n\nPresent: the chair, the treasurer.\nThe accounts were approved.",
        "Dear Sam,\n\nThanks for the lovely evening, see you next week.\n\nYours sincerely,\nAlex",
    ],
)
def test_text_that_is_not_a_ua_is_refused_with_one_line(text):
    with pytest.raises(NotAnUrgentAction) as e:
        parse(text)
    assert isinstance(e.value, IngestError)
    assert "\n" not in str(e.value) and "Urgent Action" in str(e.value)


OLDER_FORMAT = """Further information on UA: 209/13 Index: MDE 11/040/2013 Bahrain Date: 23 September 2013

URGENT ACTION

ACTIVIST ON HUNGER STRIKE IN PRISON
A prisoner of conscience has been on hunger strike since 1 September in protest at his detention.

He was arrested at his home on 2 August and has not been allowed to see his lawyer.

Please write immediately in English, Arabic or your own language:
- Calling on the authorities to release him immediately and unconditionally;
- Urging them to ensure he is not tortured or otherwise ill-treated.

PLEASE SEND APPEALS BEFORE 22 OCTOBER 2013 TO:
King
His Majesty Shaikh Hamad bin ‘Issa Al Khalifa
Office of His Majesty the King
P.O. Box 555
Rifa’a Palace, al-Manama, Bahrain
Fax: +973 1766 4587
Salutation: Your Majesty

Minister of Justice and Islamic Affairs
Shaikh Khalid bin Ali Al Khalifa
Ministry of Justice and Islamic Affairs
P.O. Box 450, al-Manama, Bahrain
Fax: +973 1753 1284
Email: minister@justice.gov.bh
Salutation: Your Excellency

And copies to:
Minister of Interior
Shaikh Rashid bin ‘Abdullah Al Khalifa
Ministry of Interior
P.O. Box 13, al-Manama, Bahrain
Email: info@interior.gov.bh

Also send copies to diplomatic representatives accredited to your country.
Please insert local diplomatic addresses below:
Name Address 1 Address 2 Address 3 Fax Fax number Email Email address Salutation Salutation
Please check with your section office if sending appeals after the above date.
This is the first update of UA 209/13.
Further information: http://amnesty.org/en/library/info/MDE11/035/2013/en
"""


def test_older_layout_with_points_to_make_appeals_to_and_copies():
    doc = parsed(OLDER_FORMAT)
    assert doc["kind"] == "further_information"
    assert (doc["ua_number"], doc["index_number"], doc["issued_on"]) == (
        "209/13",
        "MDE 11/040/2013",
        "2013-09-23",
    )
    assert doc["title"] == "ACTIVIST ON HUNGER STRIKE IN PRISON"
    assert doc["preferred_languages"] == ["en", "ar"]
    assert doc["deadline"] == "2013-10-22"
    assert doc["model_letter"] is None
    assert doc["asks"] == [
        "Calling on the authorities to release him immediately and unconditionally;",
        "Urging them to ensure he is not tortured or otherwise ill-treated.",
    ]
    roles = [(t["role"], t["name"]) for t in doc["targets"]]
    assert roles == [
        ("primary", "Hamad bin ‘Issa Al Khalifa"),
        ("primary", "Khalid bin Ali Al Khalifa"),
        ("copy", "Rashid bin ‘Abdullah Al Khalifa"),
    ]
    king = doc["targets"][0]
    assert king["honorific"] == "His Majesty Shaikh" and king["title"] == "King"
    assert king["salutation"] == "Your Majesty" and king["country"] == "BH"
    assert king["faxes"] == ["+973 1766 4587"]
    assert doc["targets"][1]["emails"] == ["minister@justice.gov.bh"]
    assert doc["previous_ua_urls"] == ["http://amnesty.org/en/library/info/MDE11/035/2013/en"]
    assert doc["summary"].startswith("A prisoner of conscience") and "his lawyer" in doc["summary"]


@pytest.mark.parametrize(
    ("line", "people"),
    [
        ("NAME AND PREFERRED PRONOUN: Ahmed Mansoor (he/him)", [("Ahmed Mansoor", "he/him")]),
        (
            "NAMES AND PREFERRED PRONOUNS: Loujain al-Hathloul (she/her) and Nassima al-Sada (she/her)",
            [("Loujain al-Hathloul", "she/her"), ("Nassima al-Sada", "she/her")],
        ),
        ("NAME AND GENDER PRONOUN: Abdulhadi al-Khawaja", [("Abdulhadi al-Khawaja", None)]),
        (
            "NAME AND PREFERRED PRONOUN:\nMaryam Kiani (she/her); Reza Rahimi (he/him)",
            [("Maryam Kiani", "she/her"), ("Reza Rahimi", "he/him")],
        ),
    ],
)
def test_individuals_and_pronouns(line, people):
    text = ua(
        "URGENT ACTION",
        "ACTIVISTS DETAINED",
        "Activists were detained.",
        "TAKE ACTION",
        "President\nJoseph Boakai\nExecutive Mansion\nMonrovia, Liberia",
        LETTER,
        line,
    )
    assert [(i["name"], i["pronoun"]) for i in parsed(text)["individuals"]] == people


def test_please_also_send_a_copy_to_the_embassy():
    text = ua(
        "URGENT ACTION",
        "WOMAN DETAINED",
        "A woman human rights defender was detained for her activism.",
        "TAKE ACTION",
        "President\nEmmerson Mnangagwa\nMunhumutapa Building\nHarare, Zimbabwe",
        LETTER,
        "Please also send a copy of your letter to the embassy of Zimbabwe in your country:",
        "H.E. Ms Christian Katsande\nEmbassy of the Republic of Zimbabwe\n429 Strand\nLondon WC2R 0JR",
    )
    copy = target(parsed(text), "Christian Katsande")
    assert (copy["role"], copy["honorific"], copy["country"]) == ("copy", "H.E. Ms", "GB")


GERMAN_SECTION_UA = """Urgent Action: Journalistin freilassen!

UA-Nummer: UA-045/2021-2 AI-Index: EUR 99/1234/2021

Das Bild zeigt das Porträtfoto einer Frau
Die Journalistin bei einer Kundgebung © Privat

Die Journalistin Anna Beispiel ist seit dem 3. März 2021 in Haft. Sie muss umgehend freigelassen werden.

Appell an

Minister of Justice
Mr Karel Vzorek
Ministry of Justice, 12 Example Street
Ruritania City

Bitte abschicken bis: 15.05.2021

Sende eine Kopie an

Botschaft der Republik Ruritanien
S. E. Herrn Pavel Muster
Unter den Linden 1
10117 Berlin

Fax: 030-123 45 67
E-Mail: botschaft@example.org

Amnesty fordert:

Ich fordere Sie höflich auf, Anna Beispiel umgehend freizulassen.

Musterbriefe und Online-Teilnahme
"""


def test_german_section_labels_for_target_deadline_copies_and_demands():
    doc = parsed(GERMAN_SECTION_UA)
    assert doc["kind"] == "update"  # "UA-045/2021-2" is the second update of UA-045/2021
    # As printed, the update's own number: the shared corpus labels "UA-074/2019-1" as "074/2019-1".
    assert doc["ua_number"] == "045/2021-2"
    assert doc["deadline"] == "2021-05-15"
    primary = target(doc, "Karel Vzorek")
    assert primary["role"] == "primary" and primary["title"] == "Minister of Justice"
    copy = target(doc, "Pavel Muster")
    assert copy["role"] == "copy"
    assert copy["honorific"] == "S. E. Herrn"
    # The embassy named above the ambassador leads the address; the letter goes to Berlin.
    assert copy["address_lines"] == [
        "Botschaft der Republik Ruritanien",
        "Unter den Linden 1",
        "10117 Berlin",
    ]
    assert copy["country"] == "DE"
    assert copy["faxes"] == ["030-123 45 67"] and copy["emails"] == ["botschaft@example.org"]
    # Only the paragraph under "Amnesty fordert:" is the demand, not the links after it.
    assert doc["asks"] == ["Ich fordere Sie höflich auf, Anna Beispiel umgehend freizulassen."]


def test_photo_captions_and_alt_text_stay_out_of_the_summary():
    doc = parsed(GERMAN_SECTION_UA)
    assert "©" not in doc["summary"] and "Das Bild zeigt" not in doc["summary"]
    assert doc["summary"].startswith("Die Journalistin Anna Beispiel ist seit dem 3. März 2021 in Haft.")


@pytest.mark.parametrize(
    "notice",
    [
        "Diese Urgent Action ist beendet.",
        "No further action is requested. Many thanks to all who sent appeals.",
        "This Urgent Action is now closed.",
    ],
)
def test_a_closing_update_with_no_one_to_write_to_is_still_a_ua(notice):
    text = f"""Released

UA-Nr.: UA-010/2020-1 AI-Index: AMR 99/0001/2020

{notice}

The two students held since January were released without charge on 4 March.
"""
    doc = parsed(text)
    assert doc["kind"] == "update"
    assert doc["targets"] == [] and doc["model_letter"] is None
    assert "released without charge" in doc["summary"]


def test_a_text_with_a_closing_phrase_but_no_ua_number_is_still_refused():
    with pytest.raises(NotAnUrgentAction):
        parse("Urgent action needed on the roads.\n\nNo further action is requested by the council.\n")


def test_organisation_line_above_the_person_leads_the_address():
    text = """URGENT ACTION
UA 12/21 Index: ASA 99/0002/2021

Someone detained
A teacher was detained on 1 May.

PLEASE WRITE TO:
Embassy of Ruritania
H.E. Mr Ivo Primer
1 Example Square
Ottawa ON K1N 8G4
Salutation: Your Excellency

Dear Ambassador,

I am concerned about the teacher detained on 1 May.

Yours sincerely,
"""
    doc = parsed(text)
    t = target(doc, "Ivo Primer")
    assert t["address_lines"][0] == "Embassy of Ruritania"
    assert t["country"] == "CA"


@pytest.mark.parametrize(
    "address, code",
    [
        ("Tiergartenstr. 19-21\n10785 Berlin", "DE"),
        ("Botschaft der Republik Türkei\nTiergartenstr. 19-21\n10785 Berlin", "DE"),
        ("Ambassade de Ruritanie\n12 avenue Example\n75016 Paris", "FR"),
        ("Embajada de Ruritania\nCalle Ejemplo 3\n28001 Madrid", "ES"),
    ],
)
def test_embassies_in_the_capitals_of_sections_countries(address, code):
    assert country_in(address) == code


# ---------------------------------------------------------------- what staff must fill in


def _ruritania_ua(name_line: str, target_block: str) -> str:
    return ua(
        "URGENT ACTION",
        "FISHERS' UNION MEMBERS HELD INCOMMUNICADO",
        "Members of a fishers' union were arrested at the harbour and have not been seen since.",
        "TAKE ACTION",
        target_block,
        LETTER,
        "PREFERRED LANGUAGE TO ADDRESS TARGET: English",
        "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 3 March 2031",
        name_line,
    )


PORT_OFFICIAL = "Minister of the Interior\nVesna Orlova\n12 Harbour Road\nPortograd 4410, Ruritania"


@pytest.mark.parametrize(
    ("name_line", "pronoun", "slot"),
    [
        ("NAME AND PREFERRED PRONOUN: [Name of group] (they/them)", "they/them", "[Name of group]"),
        ("NAMES AND PREFERRED PRONOUNS: <NAME> (<pronoun>)", None, "<NAME> (<pronoun>)"),
        ("NAME AND PREFERRED PRONOUN: XXX", None, "XXX"),
    ],
)
def test_a_placeholder_is_never_taken_for_a_name(name_line, pronoun, slot):
    doc = parsed(_ruritania_ua(name_line, PORT_OFFICIAL))
    assert [(i["name"], i["pronoun"]) for i in doc["individuals"]] == [("", pronoun)]
    assert [w for w in doc["warnings"] if "placeholder" in w] == [
        f"Individual 1: “{slot}” is a placeholder, not a name; "
        "the name is left empty: fill in the person's or the group's name."
    ]


def test_a_real_name_beside_a_placeholder_stays():
    doc = parsed(
        _ruritania_ua(
            "NAMES AND PREFERRED PRONOUNS: Tomas Ferrant (he/him); [Group] (they/them)", PORT_OFFICIAL
        )
    )
    assert [i["name"] for i in doc["individuals"]] == ["Tomas Ferrant", ""]
    assert sum("placeholder" in w for w in doc["warnings"]) == 1
    assert not any("Tomas Ferrant" in w for w in doc["warnings"])


@pytest.mark.parametrize(
    ("native", "warned"),
    [
        # The street and the city, no one to deliver to.
        ("ул. Портовая, д. 12\nПортоград, 4410", True),
        ("وزارة الداخلية، شارع الميناء، بورتوغراد", True),
        ("港城市海港区港口路12号", True),
        # A line for the addressee, before or after the address.
        ("Министру внутренних дел Весне Орловой\nул. Портовая, д. 12\nПортоград, 4410", False),
        ("港城市海港区港口路12号 奥尔洛娃部长 收", False),
        ("港城市海港区港口路12号\n奥尔洛娃部长", False),
    ],
)
def test_a_native_script_address_without_the_addressees_name_is_flagged(native, warned):
    name_line = "NAME AND PREFERRED PRONOUN: Tomas Ferrant (he/him)"
    doc = parsed(_ruritania_ua(name_line, f"{PORT_OFFICIAL}\n{native}"))
    t = target(doc, "Vesna Orlova")
    assert t["native_address_lines"] == native.splitlines()
    flagged = [w for w in doc["warnings"] if "native-script address has no line" in w]
    assert flagged == (
        [
            "Target Vesna Orlova: the native-script address has no line with the addressee's name; "
            "add their name in that script, so the envelope carries it."
        ]
        if warned
        else []
    )


def test_an_address_in_latin_script_alone_is_not_flagged():
    doc = parsed(_ruritania_ua("NAME AND PREFERRED PRONOUN: Tomas Ferrant (he/him)", PORT_OFFICIAL))
    assert not any("native-script" in w for w in doc["warnings"])
