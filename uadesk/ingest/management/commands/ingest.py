"""`uadesk ingest FILE [--json]`: read an Urgent Action document into a draft action, or print it as JSON."""

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from uadesk.ingest.errors import IngestError
from uadesk.ingest.services import action_ingest, document_parse, document_read


class Command(BaseCommand):
    help = (
        "Reads an Urgent Action (.txt, .pdf, .docx, a web page saved as .html, an email saved as .eml, "
        "or - for text on standard input) into a draft action."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the document, or - for text on standard input")
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="print the parsed document as JSON; store nothing",
        )

    def handle(self, *args, file: str, as_json: bool = False, **options):
        try:
            if file == "-":
                text = document_read(data=self.read_stdin(), filename="stdin.txt")
            else:
                text = document_read(path=file)
            if as_json:
                self.print_json(document_parse(text=text))
                return
            # A translation of a UA the desk holds is a draft of its own here, as it always was: the choice
            # to add it as the action's translation is the staff desk's (views.same_ua).
            result = action_ingest(text=text, as_new=True)
        except IngestError as error:
            raise CommandError(f"{file}: {error}", returncode=2) from None
        except OSError as error:
            raise CommandError(f"{file}: cannot read it ({error.strerror or error})", returncode=2) from None
        self.report(result)

    def read_stdin(self) -> bytes:
        """Standard input up to the limit: one byte more says it is over, without reading the rest."""
        limit = settings.INGEST_MAX_BYTES
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise CommandError(f"-: standard input is over the limit of {limit} bytes.", returncode=2)
        return data

    def print_json(self, document: dict) -> None:
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))

    def report(self, result) -> None:
        action, document = result.action, result.document
        if not result.created:
            self.stdout.write(
                self.style.WARNING(
                    f"Already held by action #{action.pk} “{action.title}” ({action.get_status_display()}); "
                    "nothing was created."
                )
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Created draft action #{action.pk} “{action.title}”"))
        found = [
            ("kind", action.get_kind_display()),
            ("UA number", action.ua_number or "—"),
            ("index", action.index_number or "—"),
            ("deadline", action.deadline.isoformat() if action.deadline else "—"),
            ("languages", action.preferred_languages or "—"),
            ("individuals", ", ".join(i.name for i in action.individuals.all()) or "—"),
            ("model letter", ", ".join(letter.language for letter in action.letters.all()) or "—"),
            ("asks", str(len(action.ask_list))),
            ("previous UA", " ".join(action.previous_ua_url_list) or "—"),
        ]
        for label, value in found:
            self.stdout.write(f"  {label:13} {value}")
        for target in action.targets.all():
            contact = [f"{len(target.email_list)} email", f"{len(target.fax_list)} fax"]
            if target.native_address:
                contact.append(f"address in {target.native_language or 'own script'}")
            self.stdout.write(
                f"  target        {target.get_role_display()}: {target.display_name} ({', '.join(contact)})"
            )
        for warning in document["warnings"]:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        self.stdout.write(f"Review and publish it at /staff/actions/action/{action.pk}/change/")
