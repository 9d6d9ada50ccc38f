"""Country names (English, with official and short forms) and capitals mapped to ISO 3166-1 alpha-2 codes."""

import re

# One entry a line: CODE then the names a postal address may use, separated by "|".
# Official long forms come first so a longest-match search keeps "Republic of the Congo" apart from "Congo".
_COUNTRY_TABLE = """
AF Afghanistan|Islamic Republic of Afghanistan|Islamic Emirate of Afghanistan
AL Albania|Republic of Albania
DZ Algeria|People's Democratic Republic of Algeria
AD Andorra
AO Angola|Republic of Angola
AG Antigua and Barbuda
AR Argentina|Argentine Republic
AM Armenia|Republic of Armenia
AU Australia|Commonwealth of Australia
AT Austria|Republic of Austria|Österreich
AZ Azerbaijan|Republic of Azerbaijan|Azerbaijan Republic
BS Bahamas|The Bahamas
BH Bahrain|Kingdom of Bahrain
BD Bangladesh|People's Republic of Bangladesh
BB Barbados
BY Belarus|Republic of Belarus
BE Belgium|Kingdom of Belgium|Belgique|België
BZ Belize
BJ Benin|Republic of Benin|Bénin
BT Bhutan
BO Bolivia|Plurinational State of Bolivia|Estado Plurinacional de Bolivia
BA Bosnia and Herzegovina|Bosnia-Herzegovina|Bosnia & Herzegovina
BW Botswana
BR Brazil|Federative Republic of Brazil|Brasil
BN Brunei|Brunei Darussalam
BG Bulgaria
BF Burkina Faso
BI Burundi|Republic of Burundi
CV Cabo Verde|Cape Verde
KH Cambodia|Kingdom of Cambodia
CM Cameroon|Republic of Cameroon|Cameroun
CA Canada
CF Central African Republic|CAR
TD Chad|Republic of Chad|Tchad
CL Chile
CN China|People's Republic of China|PR China|P.R. China|PRC
CO Colombia|Republic of Colombia
KM Comoros
CG Republic of the Congo|Congo-Brazzaville|Congo Brazzaville|Republic of Congo
CD Democratic Republic of the Congo|Democratic Republic of Congo|DR Congo|DRC|Congo-Kinshasa
CR Costa Rica
CI Côte d'Ivoire|Cote d'Ivoire|Ivory Coast
HR Croatia|Hrvatska
CU Cuba|Republic of Cuba
CY Cyprus
CZ Czech Republic|Czechia
DK Denmark|Danmark
DJ Djibouti
DM Dominica
DO Dominican Republic|República Dominicana
EC Ecuador
EG Egypt|Arab Republic of Egypt
SV El Salvador
GQ Equatorial Guinea
ER Eritrea|State of Eritrea
EE Estonia
SZ Eswatini|Swaziland
ET Ethiopia|Federal Democratic Republic of Ethiopia
FJ Fiji
FI Finland|Suomi
FR France|French Republic
GA Gabon
GM Gambia|The Gambia|Republic of The Gambia
GE Georgia|Sakartvelo
DE Germany|Federal Republic of Germany|Deutschland
GH Ghana
GR Greece|Hellenic Republic
GD Grenada
GT Guatemala
GN Guinea|Republic of Guinea|Guinée
GW Guinea-Bissau|Guinea Bissau
GY Guyana
HT Haiti|Haïti
HN Honduras
HK Hong Kong|Hong Kong SAR
HU Hungary|Magyarország
IS Iceland
IN India|Republic of India
ID Indonesia|Republic of Indonesia
IR Iran|Islamic Republic of Iran
IQ Iraq|Republic of Iraq|Kurdistan Region of Iraq
IE Ireland|Republic of Ireland|Éire
IL Israel|State of Israel
IT Italy|Italia
JM Jamaica
JP Japan
JO Jordan|Hashemite Kingdom of Jordan
KZ Kazakhstan|Republic of Kazakhstan
KE Kenya|Republic of Kenya
KI Kiribati
KP North Korea|Democratic People's Republic of Korea|DPRK
KR South Korea|Republic of Korea
XK Kosovo
KW Kuwait|State of Kuwait
KG Kyrgyzstan|Kyrgyz Republic
LA Laos|Lao People's Democratic Republic|Lao PDR
LV Latvia
LB Lebanon|Lebanese Republic
LS Lesotho
LR Liberia
LY Libya|State of Libya
LI Liechtenstein
LT Lithuania
LU Luxembourg
MO Macao|Macau
MG Madagascar
MW Malawi
MY Malaysia
MV Maldives|Republic of Maldives
ML Mali|Republic of Mali
MT Malta
MH Marshall Islands
MR Mauritania|Islamic Republic of Mauritania|Mauritanie
MU Mauritius
MX Mexico|United Mexican States|México
FM Micronesia
MD Moldova|Republic of Moldova
MC Monaco
MN Mongolia
ME Montenegro
MA Morocco|Kingdom of Morocco|Maroc
MZ Mozambique|Moçambique
MM Myanmar|Burma
NA Namibia
NR Nauru
NP Nepal
NL Netherlands|The Netherlands|Kingdom of the Netherlands|Nederland
NZ New Zealand|Aotearoa
NI Nicaragua
NE Niger|Republic of Niger
NG Nigeria|Federal Republic of Nigeria
MK North Macedonia|Macedonia|Republic of North Macedonia
NO Norway|Norge
OM Oman|Sultanate of Oman
PK Pakistan|Islamic Republic of Pakistan
PW Palau
PS Palestine|State of Palestine|Occupied Palestinian Territories|Occupied Palestinian Territory|Gaza|West Bank
PA Panama|Panamá
PG Papua New Guinea
PY Paraguay
PE Peru|Perú
PH Philippines|Republic of the Philippines
PL Poland|Polska
PT Portugal
PR Puerto Rico
QA Qatar|State of Qatar
RO Romania|România
RU Russia|Russian Federation|Rossiya
RW Rwanda
KN Saint Kitts and Nevis
LC Saint Lucia
VC Saint Vincent and the Grenadines
WS Samoa
SM San Marino
ST Sao Tome and Principe|São Tomé and Príncipe
SA Saudi Arabia|Kingdom of Saudi Arabia|KSA
SN Senegal|Sénégal
RS Serbia|Republic of Serbia
SC Seychelles
SL Sierra Leone
SG Singapore|Republic of Singapore
SK Slovakia|Slovak Republic
SI Slovenia
SB Solomon Islands
SO Somalia|Federal Republic of Somalia|Somaliland
ZA South Africa|Republic of South Africa
SS South Sudan|Republic of South Sudan
ES Spain|Kingdom of Spain|España
LK Sri Lanka|Democratic Socialist Republic of Sri Lanka
SD Sudan|Republic of the Sudan|Republic of Sudan
SR Suriname
SE Sweden|Sverige
CH Switzerland|Swiss Confederation|Schweiz|Suisse|Svizzera
SY Syria|Syrian Arab Republic
TW Taiwan|Republic of China (Taiwan)
TJ Tajikistan|Republic of Tajikistan
TZ Tanzania|United Republic of Tanzania
TH Thailand|Kingdom of Thailand
TL Timor-Leste|East Timor
TG Togo|Togolese Republic
TO Tonga
TT Trinidad and Tobago
TN Tunisia|Republic of Tunisia|Tunisie
TR Turkey|Türkiye|Turkiye|Republic of Turkey
TM Turkmenistan
TV Tuvalu
UG Uganda|Republic of Uganda
UA Ukraine
AE United Arab Emirates|UAE|U.A.E.
GB United Kingdom|UK|U.K.|Great Britain|England|Scotland|Wales|Northern Ireland
US United States of America|United States|USA|U.S.A.|US
UY Uruguay
UZ Uzbekistan|Republic of Uzbekistan
VU Vanuatu
VA Holy See|Vatican City
VE Venezuela|Bolivarian Republic of Venezuela
VN Viet Nam|Vietnam|Socialist Republic of Viet Nam
EH Western Sahara
YE Yemen|Republic of Yemen
ZM Zambia
ZW Zimbabwe
"""

# Capitals and seats of government, for addresses that name the city but not the country.
_CAPITAL_TABLE = """
AF Kabul
DZ Algiers|Alger
AO Luanda
AR Buenos Aires
AM Yerevan
AZ Baku
BH Manama
BD Dhaka
BY Minsk
BO La Paz|Sucre
BR Brasília|Brasilia
BI Bujumbura|Gitega
KH Phnom Penh
CM Yaoundé|Yaounde
TD N'Djamena|Ndjamena
CN Beijing
CO Bogotá|Bogota
CD Kinshasa
CG Brazzaville
CU Havana|La Habana
EG Cairo
SV San Salvador
GQ Malabo
ER Asmara
ET Addis Ababa
GM Banjul
GT Guatemala City|Ciudad de Guatemala
GN Conakry
HN Tegucigalpa
IN New Delhi
ID Jakarta
IR Tehran|Teheran
IQ Baghdad|Erbil
IL Jerusalem|Tel Aviv
JO Amman
KZ Astana|Nur-Sultan|Almaty
KE Nairobi
KW Kuwait City
KG Bishkek
LB Beirut
LY Tripoli|Benghazi
MY Kuala Lumpur|Putrajaya
MV Malé|Male
MR Nouakchott
MX Ciudad de México|Mexico City
MA Rabat
MZ Maputo
MM Naypyidaw|Nay Pyi Taw|Yangon
NP Kathmandu
NI Managua
NE Niamey
NG Abuja|Lagos
OM Muscat
PK Islamabad
PE Lima
PH Manila|Quezon City
QA Doha
RU Moscow|Moskva
RW Kigali
SA Riyadh|Jeddah
SN Dakar
SG Singapore
SO Mogadishu
SS Juba
LK Colombo
SD Khartoum
SY Damascus
TJ Dushanbe
TZ Dar es Salaam|Dodoma
TH Bangkok
TN Tunis
TR Ankara|Istanbul
TM Ashgabat
UG Kampala
UA Kyiv|Kiev
AE Abu Dhabi|Dubai
GB London
DE Berlin
FR Paris
ES Madrid
CH Bern|Berne
AT Wien|Vienna
BE Brussels|Bruxelles|Brussel
NL The Hague|Den Haag
IE Dublin
CA Ottawa
AU Canberra
NZ Wellington
SE Stockholm
NO Oslo
DK Copenhagen|København
FI Helsinki
IT Rome|Roma
PT Lisbon|Lisboa
PL Warsaw|Warszawa
JP Tokyo
KR Seoul
US Washington DC|Washington, DC|Washington, D.C.
UZ Tashkent
VE Caracas
VN Hanoi|Ha Noi
YE Sana'a|Sanaa|Aden
ZM Lusaka
ZW Harare
"""


def _load(table: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for line in table.strip().splitlines():
        code, _, rest = line.partition(" ")
        for name in rest.split("|"):
            names[name.strip().casefold()] = code
    return names


COUNTRY_NAMES: dict[str, str] = _load(_COUNTRY_TABLE)
CAPITALS: dict[str, str] = _load(_CAPITAL_TABLE)

# Short all-capital forms only count when written in capitals: "US" is a country, "us" is a pronoun.
_CASE_SENSITIVE = {"UK", "U.K.", "US", "USA", "U.S.A.", "UAE", "U.A.E.", "DRC", "CAR", "KSA", "PRC", "DPRK"}


def _pattern(names: dict[str, str]) -> re.Pattern[str]:
    words = sorted((n for n in names if n.upper() not in _CASE_SENSITIVE), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE)


_COUNTRY_RE = _pattern(COUNTRY_NAMES)
_CAPITAL_RE = _pattern(CAPITALS)
_UPPER_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(w) for w in sorted(_CASE_SENSITIVE, key=len, reverse=True))
    + r")(?![\w])"
)
# A UK postcode ("W1B 1JL", "SW1A 2AA"), a US state and ZIP ("NY 10017", "DC 20008"),
# a Canadian postcode ("K1N 8G4").
_UK_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")
_US_ZIP_RE = re.compile(
    r"\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])"
    r",? \d{5}(?:-\d{4})?\b"
)
_CA_POSTCODE_RE = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b")
# "Embassy of X" names the sending country, not where the letter goes.
_REPRESENTATION_RE = re.compile(
    r"\b(?:embassy|high commission|consulate(?: general)?|permanent mission|mission|delegation|ambassador|"
    r"chargé d'affaires)"
    r"\s+(?:of|to)\s+(?:the\s+)?[^,\n]*|"
    # The same in German, French and Spanish: "Botschaft der Republik Türkei", "Ambassade de ...".
    r"\b(?:botschaft|generalkonsulat|ambassade|consulat|embajada|consulado)"
    r"\s+(?:de[rsl]?|d'|du|de la)\s*[^,\n]*",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def country_in(text: str) -> str | None:
    """The ISO code of the last country named in `text` (by name, capital or postcode), or None."""
    text = _REPRESENTATION_RE.sub(" ", _fold(text))
    found: list[tuple[int, str]] = []
    for m in _COUNTRY_RE.finditer(text):
        found.append((m.start(), COUNTRY_NAMES[m.group(1).casefold()]))
    for m in _UPPER_RE.finditer(text):
        found.append((m.start(), COUNTRY_NAMES[m.group(1).casefold()]))
    if found:
        return max(found)[1]
    if _UK_POSTCODE_RE.search(text):
        return "GB"
    if _US_ZIP_RE.search(text):
        return "US"
    if _CA_POSTCODE_RE.search(text):
        return "CA"
    capitals = [(m.start(), CAPITALS[m.group(1).casefold()]) for m in _CAPITAL_RE.finditer(text)]
    return max(capitals)[1] if capitals else None


def is_country_name(text: str) -> bool:
    return _fold(text).strip(" .,").casefold() in COUNTRY_NAMES
