"""The words of Urgent Actions, language by language: what the parser recognises, in one table to extend.

Each row says what a line or a word *is* (the heading of a section, the UA marker, a month, a greeting)
in one language. To teach the parser a section's own labels or a new language, add rows here and a
labelled document to tests/ingest/corpus; docs/design.md walks through one. Patterns are regular
expressions matched without regard to case, from the start of a trimmed line unless a row says otherwise.
Nothing here may name a person, a place or a case of one document: only the words of the form.
"""

# ------------------------------------------------------------------------------------------------
# Section headings: (kind, language, pattern). A line that a pattern matches from its start opens a
# section of that kind; the first kind in SECTION_ORDER whose pattern matches wins.
#
#   name                  who is at risk, "NAME AND PREFERRED PRONOUN: ..."
#   previous              links to the earlier UAs of the case
#   language              the languages to write in
#   deadline              until when to write
#   additional_targets    more officials to write to
#   copies                officials and missions to send a copy to
#   contacts              the officials' contact details, apart from the call to action
#   additional_information  the background
#   action                the call to action: the officials, then the model letter
#   summary               the case in short
#   demands               what the organisation asks, where there is no model letter
SECTION_ORDER = (
    "name",
    "previous",
    "language",
    "deadline",
    "additional_targets",
    "copies",
    "contacts",
    "additional_information",
    "action",
    "summary",
    "demands",
)

SECTION_LABELS: list[tuple[str, str, str]] = [
    # English: Amnesty's international template, national sections' web pages, older UAs.
    ("name", "en", r"NAMES? AND (?:PREF+ERR?ED |GENDER )?PRONOUNS?\b"),
    ("previous", "en", r"LINKS? TO (?:THE )?PREVIOUS (?:UAS?|URGENT ACTIONS?)\b"),
    ("language", "en", r"PREFERRED LANGUAGES?\b"),
    ("deadline", "en", r"PLEASE TAKE ACTION\b.*\bUNTIL\b|APPEAL DEADLINE\b|DEADLINE\b|PLEASE SEND APPEALS\b"),
    ("deadline", "en", r"SEND APPEALS (?:BEFORE|UNTIL|BY)\b"),
    ("additional_targets", "en", r"ADDITIONAL TARGETS?\b"),
    (
        "copies",
        "en",
        r"(?:(?:AND |ALSO |PLEASE )?(?:SEND )?COPIES\b|COPY TO\b|COP(?:Y|IES) OF (?:THIS|THE) LETTER TO\b)",
    ),
    (
        "copies",
        "en",
        r".*\bSEND (?:A )?COP(?:Y|IES) (?:OF [^:]* )?TO\b|.*DIPLOMATIC REPRESENTATIVES? ACCREDITED\b",
    ),
    ("contacts", "en", r"TARGETS?[’']?S?[’']? CONTACT DETAILS\b|CONTACT (?:DETAILS|INFORMATION)\b\s*:?$"),
    # "Further information on UA 12/21" is the header of an update, not this section.
    (
        "additional_information",
        "en",
        r"(?:ADDITIONAL|BACKGROUND|FURTHER) INFORMATION\b(?!\s+(?:\(\d+\)\s+)?(?:ON|ABOUT)\b):?",
    ),
    ("additional_information", "en", r"BACKGROUND\s*(?:INFORMATION)?\s*(?:\(.*\))?:?$"),
    (
        "action",
        "en",
        r"TAKE ACTION\b|WRITE AN? (?:APPEAL|LETTER)\b|(?:URGENT ACTION )?(?:MODEL |SAMPLE )?LETTER:",
    ),
    (
        "action",
        "en",
        r"URGENT ACTION LETTER\b|(?:FURTHER )?RECOMMENDED ACTIONS?\b|PLEASE WRITE\b|WHAT YOU CAN DO\b",
    ),
    (
        "action",
        "en",
        r"HOW YOU CAN HELP\b|(?:PLEASE )?WRITE TO\b.*:$|APPEALS TO\b|(?:PLEASE )?WRITE IMMEDIATELY\b.*:$",
    ),
    ("summary", "en", r"(?:URGENT ACTION )?SUMMARY\s*:"),
    ("demands", "en", r"(?:AMNESTY(?: INTERNATIONAL)? (?:CALLS ON|DEMANDS|URGES)|(?:OUR )?DEMANDS)\s*:$"),
    # German sections: "Appell an", "Bitte abschicken bis", "Sende eine Kopie an", "Musterbrief".
    ("deadline", "de", r"(?:BITTE )?(?:ABSCHICKEN|SCHREIBEN|APPELLE)\b.*\bBIS\b"),
    ("copies", "de", r"(?:BITTE )?(?:SENDE|SENDEN SIE)?\s*(?:EINE )?KOPIEN? AN\b"),
    ("action", "de", r"(?:APPELLE?|BRIEFE|SCHREIBEN SIE(?: BITTE)?) AN\b\s*:?$|BITTE SCHREIBEN SIE\b.*:$"),
    ("action", "de", r"MUSTERBRIEF\b\s*:?$"),
    ("demands", "de", r"(?:AMNESTY(?: INTERNATIONAL)? FORDERT|(?:UNSERE )?FORDERUNGEN)\s*:$"),
    # French sections: "Adressez vos appels à", "Copie à", "Date limite", "Modèle de lettre".
    ("deadline", "fr", r"DATE LIMITE\b|(?:ENVOYEZ|ADRESSEZ) VOS APPELS AVANT\b"),
    ("copies", "fr", r"COPIES? [AÀ]\b"),
    ("action", "fr", r"[EÉ]CRIVEZ [AÀ]\b.*:?$|APPELS? [AÀ]\b\s*:?$|ADRESSEZ VOS APPELS [AÀ]\b.*:?$"),
    ("action", "fr", r"[EÉ]CRIVEZ IMM[EÉ]DIATEMENT\b.*:$|MOD[EÈ]LE DE LETTRE\b\s*:?$"),
    ("demands", "fr", r"(?:AMNESTY(?: INTERNATIONAL)? DEMANDE|(?:NOS )?REVENDICATIONS)\s*:$"),
    # Spanish sections: "Escriban inmediatamente", "Envíen llamamientos antes del", "Carta modelo".
    ("deadline", "es", r"FECHA L[IÍ]MITE\b|PLAZO\b|ENV[IÍ]EN (?:LLAMAMIENTOS|SUS CARTAS) ANTES DEL?\b"),
    ("copies", "es", r"COPIAS? A\b"),
    ("action", "es", r"ESCRIB(?:A|AN|ID)\b.*\bA\b\s*:?$|ESCRIBAN INMEDIATAMENTE\b.*:$|CARTA MODELO\b\s*:?$"),
    ("demands", "es", r"AMNIST[IÍ]A(?: INTERNACIONAL)? (?:EXIGE|PIDE)\s*:$"),
    # Portuguese sections: "Envie apelos para", "Envie apelos até", "Cópias para", "Modelo de carta".
    # (Added the way docs/design.md describes: rows here, a labelled document in the tests.)
    ("deadline", "pt", r"(?:ENVIE|ENVIEM) APELOS AT[ÉE]\b|PRAZO\b"),
    ("copies", "pt", r"C[ÓO]PIAS? PARA\b"),
    (
        "action",
        "pt",
        r"(?:ENVIE|ENVIEM) APELOS PARA\b.*:?$|ESCREVA (?:PARA|IMEDIATAMENTE)\b.*:?$|MODELO DE CARTA\b\s*:?$",
    ),
]

# ------------------------------------------------------------------------------------------------
# The UA marker: a document that carries one is an Urgent Action (or its update), searched anywhere in
# its first lines. The UA number's own forms ("UA 92/21", "AU 116/07") are in parser._UA_NUMBER_RE.
MARKERS: dict[str, str] = {
    "en": r"\bURGENT\s+ACTIONS?\b",
    "es": r"\bACCI[OÓ]N(?:ES)?\s+URGENTES?\b",
    "fr": r"\bACTIONS?\s+URGENTES?\b",
    "de": r"\bEILAKTION(?:EN)?\b",
    "pt": r"\bA[ÇC][ÃA]O\s+URGENTE\b",
}

# The classic call to write, which alone marks an older UA: "PLEASE WRITE IMMEDIATELY in English ...".
WRITE_NOW: dict[str, str] = {
    "en": r"WRITE IMMEDIATELY",
    "es": r"ESCRIBAN INMEDIATAMENTE",
    "fr": r"[EÉ]CRIVEZ IMM[EÉ]DIATEMENT",
    "de": r"SCHREIBEN SIE SOFORT",
    "pt": r"ESCREVA IMEDIATAMENTE",
}

# The headline after the marker ("URGENT ACTION: Stop the prosecution ...", "ACCIÓN URGENTE: ...").
HEADLINE_MARKERS: dict[str, str] = {
    "en": r"URGENT ACTION(?:\s+UPDATE)?",
    "es": r"ACCI[OÓ]N URGENTE",
    "fr": r"ACTION URGENTE",
    "de": r"EILAKTION",
    "pt": r"A[ÇC][ÃA]O URGENTE",
}

# The heading of a model letter run into its first line: "SAMPLE LETTER Dear Counsellor, I am ...".
LETTER_LABELS: dict[str, str] = {
    "en": r"(?:URGENT ACTION\s+)?(?:SAMPLE|MODEL|TEMPLATE)\s+LETTER",
    "de": r"MUSTERBRIEF",
    "fr": r"MOD[EÈ]LE DE LETTRE",
    "es": r"CARTA MODELO|MODELO DE CARTA",
    "pt": r"MODELO DE CARTA",
}

# ------------------------------------------------------------------------------------------------
# The labels of an official's contact lines, by what they give ("Email: ...", "Courriel : ...").
CONTACT_LABELS: dict[str, list[str]] = {
    "email": ["E-?mail", "Email address", "Courriel", "Correo(?:-e| electr[oó]nico)?", "Mail"],
    "fax": ["Fax(?:es)?", "Facsimile", "T[ée]l[ée]copie", "Telefax"],
    "phone": [
        "Tel(?:ephone)?",
        "Phone",
        "Mobile",
        "Cell",
        "WhatsApp",
        "T[ée]l[ée]phone",
        "Tél",
        "Tel[ée]fono",
        "Telefon",
    ],
    "social": [
        "Twitter",
        r"X \(Twitter\)",
        "Twitter/X",
        "X",
        "Facebook",
        "Instagram",
        "Telegram",
        "Website",
        "Web",
        "LinkedIn",
        "TikTok",
    ],
    "salutation": ["Salutation", "Anrede", "Formule d'appel", "Saludo"],
}

# ------------------------------------------------------------------------------------------------
# Months, as dates are written: "23 September 2022", "23. September 2022", "23 septembre 2022",
# "23 de septiembre de 2022", "September 23, 2022".
MONTHS: dict[str, list[str]] = {
    "en": "january february march april may june july august september october november december".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "de": "januar februar märz april mai juni juli august september oktober november dezember".split(),
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split(),
}
# Shortened and unaccented forms, by the month's number.
MONTH_VARIANTS: dict[int, list[str]] = {
    1: ["jan"],
    2: ["feb", "fevrier"],
    3: ["mar"],
    4: ["apr"],
    6: ["jun"],
    7: ["jul"],
    8: ["aug", "aout"],
    9: ["sep", "sept"],
    10: ["oct"],
    11: ["nov"],
    12: ["dec", "decembre"],
}

# ------------------------------------------------------------------------------------------------
# How a letter opens and closes.
SALUTATIONS: dict[str, str] = {
    "en": (
        r"Dear|Your\s+(?:Excellency|Majesty|Highness|Honou?r)|Excellency|Honou?rable|Respected|"
        r"Distinguished"
    ),
    "es": r"Excelentísim[oa]|Estimad[oa]s?|Señor|Señora",
    "fr": r"Monsieur|Madame",
    "de": r"Sehr geehrter?|Exzellenz",
    "pt": r"Excelent[íi]ssim[oa]|Exm[oa]\.?|Prezad[oa]s?",
}
CLOSINGS: dict[str, str] = {
    "en": (
        r"Yours\s+(?:very\s+)?(?:sincerely|faithfully|truly|respectfully)|Sincerely(?:\s+yours)?|"
        r"Respectfully(?:\s+yours)?|(?:Kind|Best|Warm)\s+regards|With\s+(?:respect|regards)"
    ),
    "es": r"Atentamente|Saludos(?: cordiales)?",
    "fr": r"Cordialement|Veuillez agréer\b.*|Je vous prie d'agréer\b.*",
    "de": r"Mit freundlichen Grüßen|Hochachtungsvoll",
    "pt": r"Com os melhores cumprimentos|Atenciosamente|Respeitosamente",
    "it": r"Cordiali saluti",
}

# A sentence that gives the deadline outside any label: a word of time limit and a word of the action,
# "This Urgent Action expires on June 1 2023", "Envíen llamamientos antes del ...".
DEADLINE_WORDS: dict[str, str] = {
    "en": r"until|deadline|before|no later than|expires?",
    "de": r"bis",
    "fr": r"avant|jusqu",
    "es": r"hasta|antes",
    "pt": r"até|antes",
}
ACTION_WORDS: dict[str, str] = {
    "en": r"appeal|action|send|write",
    "de": r"appell|aktion",
    "fr": r"appel|envo",
    "es": r"llamamiento|acci[oó]n|envíen",
    "pt": r"apelo|a[çc][ãa]o|envie",
}

# The numbered steps a section's web page gives instead of a "TAKE ACTION" heading.
STEPS: dict[str, str] = {
    "en": r"write a letter|take action|let us know the actions|send (?:an? )?(?:appeal|letter)s?",
    "de": r"schreiben sie",
    "fr": r"[ée]crivez",
    "es": r"escriba",
    "pt": r"escreva",
}

# A photo's caption, credit or alternative text on a web page, which is not the summary.
PICTURE_CAPTIONS: dict[str, str] = {
    "en": r"the (?:image|picture|photo) shows",
    "de": r"das bild zeigt",
    "fr": r"l['’]image montre",
    "es": r"la imagen muestra",
    "pt": r"a (?:imagem|foto) mostra",
}

# A sentence that is a request of its own, after an ask: "Please ...", "Bitte ...".
PLEASE: dict[str, str] = {
    "en": r"Please|Kindly",
    "de": r"Bitte",
    "es": r"Por favor",
    "fr": r"Veuillez|Merci de",
    "pt": r"Por favor",
}

# ------------------------------------------------------------------------------------------------
# The commonest words of each language, to tell the language a document is written in.
COMMON_WORDS: dict[str, set[str]] = {
    "en": set("the and of to in is was for that his her has have are with on by from".split()),
    "es": set("el la los las de del que y en es por para con una su fue han sido".split()),
    "fr": set("le la les des du de et est en que pour dans une sont par qui été".split()),
    "de": set("der die das und ist nicht ein eine den dem des sie wurde mit von zu auf".split()),
    "pt": set("o os as de do da que e em um uma para com foi não".split()),
    "it": set("il lo gli le di del che e è per una con sono non".split()),
    "cs": set("a je se na že v z do pro jako by být jeho její".split()),
}
