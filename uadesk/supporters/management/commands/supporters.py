"""`uadesk supporters show|erase EMAIL`: a supporter's data on request, as JSON, or erased (counts stay)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email

from uadesk.staff import audit
from uadesk.supporters.crypto import SealError
from uadesk.supporters.models import Supporter
from uadesk.supporters.services import erase, export


class Command(BaseCommand):
    help = "Shows (as JSON) or erases everything the desk holds about the supporter with this email address."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="what", required=True, metavar="show|erase")
        for name, help_text in [
            ("show", "print everything held about them as JSON"),
            ("erase", "erase them from every app; counts stay"),
        ]:
            sub = commands.add_parser(name, help=help_text)
            sub.add_argument("email", help="their email address, in any spelling of it")

    def handle(self, *args, what: str, email: str, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address", returncode=2) from None
        supporter = Supporter.find(email)
        if supporter is None:
            raise CommandError(f"no supporter has the address {email}; nothing to {what}", returncode=2)
        try:
            if what == "show":
                data = export(supporter)
                # Logged before it is printed: an export that went out is never missing from the log.
                audit.log(
                    "uadesk.supporter.exported", via=audit.Via.COMMAND, obj=supporter, records=records(data)
                )
                self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
                return
        except SealError:
            raise CommandError(
                f"{supporter} was stored with another SUPPORTER_KEY: this desk cannot read their address",
                returncode=2,
            ) from None
        if erase(supporter, by="command"):
            audit.log("uadesk.supporter.erased", via=audit.Via.COMMAND, obj=supporter)
        self.stdout.write(
            f"erased {supporter}: their address is gone; their letters and signatures still count, anonymous"
        )


def records(data: dict) -> dict[str, int]:
    """How many rows each app's part of the export lists (its letters, signatures...): counts only."""
    return {
        part: sum(len(rows) for rows in held.values() if isinstance(rows, list))
        for part, held in data.items()
        if part != "supporter"
    }
