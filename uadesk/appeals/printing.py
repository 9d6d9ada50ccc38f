"""An appeal as a printable letter: the bridge from an appeal to the print channel, which knows no appeals."""

from django.utils import timezone

from uadesk.countries import country_name
from uadesk.delivery.printing import Address, PrintLetter, letter_pdf

from .models import Appeal


def appeal_print_letter(appeal: Appeal) -> PrintLetter:
    target = appeal.target
    # The return address crosses borders: its country in English capitals, as post offices everywhere
    # read an address's country line.
    sender_country = country_name(appeal.supporter_country).upper()
    salutation, _, rest = appeal.body.partition("\n\n")
    sender_lines = [line for line in (appeal.supporter_name, appeal.supporter_town, sender_country) if line]
    return PrintLetter(
        recipient=Address(
            name=target.display_name,
            lines=[line for line in [target.title, *target.address_lines] if line],
            native_lines=target.native_address_block,
            native_language=target.native_language or None,
        ),
        # The writer left it blank to fill in by hand; a letter signed with no name and no town has
        # nothing to put there either.
        sender_lines=[] if appeal.sender_blank else sender_lines,
        sender_blank=appeal.sender_blank or not sender_lines,
        date=timezone.localdate(appeal.created_at),
        salutation=salutation,
        body=rest,
        closing="",
        signature="",
        # The supporter's own language is not known: the print channel reads the letter's direction from it.
        language=appeal.language or "und",
    )


def appeal_pdf(appeal: Appeal, *, paper: str = "A4", envelope: str | None = "DL") -> bytes:
    return letter_pdf(appeal_print_letter(appeal), paper=paper, envelope=envelope)
