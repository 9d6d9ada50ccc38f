"""`uadesk bounce`: the mail server pipes a returned letter here, to mark the appeal and the target."""

import sys

from django.core.management.base import BaseCommand, CommandError

from uadesk.appeals.bounces import bounced_appeal
from uadesk.appeals.services import appeal_bounced


class Command(BaseCommand):
    help = "Reads a bounce (a delivery status notification) on standard input and records it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient", default="", help="the address the bounce was sent to, if the MTA gives it"
        )

    def handle(self, *args, recipient: str = "", **options):
        raw = sys.stdin.buffer.read(5 * 1024 * 1024)
        if not raw.strip():
            raise CommandError("no message on standard input", returncode=2)
        found = bounced_appeal(raw, recipient=recipient)
        if found is None:
            # Exit 0: the mail server must not bounce a bounce back to its sender.
            self.stdout.write("not a bounce of a uadesk letter; ignored")
            return
        appeal_pk, permanent = found
        appeal = appeal_bounced(appeal_pk=appeal_pk, permanent=permanent)
        if appeal is None:
            self.stdout.write(f"appeal {appeal_pk} no longer exists; ignored")
        elif permanent:
            self.stdout.write(f"appeal {appeal_pk} bounced; the email of {appeal.target} is marked failing")
        else:
            self.stdout.write(f"appeal {appeal_pk}: temporary delay reported; nothing changed")
