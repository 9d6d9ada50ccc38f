"""`uadesk api import-targets ACTION FILE`: targets from CSV, all or none; a bad row is one line, exit 2."""

import sys

from django.core.management.base import BaseCommand, CommandError

from uadesk.actions.models import Action
from uadesk.api.services import CSV_COLUMNS, CsvImportError, targets_import_csv


class Command(BaseCommand):
    help = "API tools. import-targets ACTION FILE: adds the targets of a CSV file (one embassy per row)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        targets = commands.add_parser(
            "import-targets",
            help=f"columns: {', '.join(CSV_COLUMNS)} (a header row; only name is required)",
        )
        targets.add_argument("action", help="the action's slug")
        targets.add_argument("file", help="a UTF-8 CSV file, or - for standard input")

    def handle(self, *args, command: str, action: str, file: str, **options):
        found = Action.objects.filter(slug=action).first()
        if found is None:
            raise CommandError(f"no action has the slug {action!r}", returncode=2)
        try:
            if file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as handle:
                    data = handle.read()
            targets = targets_import_csv(action=found, data=data)
        except OSError as error:
            raise CommandError(f"{file}: cannot read it ({error.strerror or error})", returncode=2) from None
        except CsvImportError as error:
            raise CommandError(f"{file}: {error}; nothing was imported", returncode=2) from None
        self.stdout.write(f"{len(targets)} targets added to “{found.title}”")
