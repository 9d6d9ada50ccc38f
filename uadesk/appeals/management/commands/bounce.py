"""`uadesk bounce`: the mail server pipes what comes back to a letter's bounce address here."""

import sys

from django.core.management.base import BaseCommand, CommandError

from uadesk.appeals.bounces import bounced_appeal
from uadesk.appeals.services import appeal_bounced
from uadesk.delivery.bounces import bounced_message, message_bounced


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
        bounce = bounced_appeal(raw, recipient=recipient)
        # Exit 0 whatever it was: the mail server must neither retry nor bounce a bounce back.
        if bounce is None:
            # Not a letter's: perhaps another email of the outbox (a network member's), whose kind's
            # sender decides what it changes.
            if (other := bounced_message(raw, recipient=recipient)) is not None:
                self.stdout.write(message_bounced(bounce=other))
                return
            self.stdout.write("not a bounce of a uadesk letter; ignored")
            return
        pk = bounce.appeal_pk
        recorded = appeal_bounced(bounce=bounce)
        failing = (
            f"; the email of {recorded.appeal.target} is marked failing" if recorded.target_failing else ""
        )
        self.stdout.write(
            {
                "auto-reply": f"appeal {pk}: an automatic reply (out of office); nothing changed",
                "missing": f"appeal {pk} no longer exists; ignored",
                "expired": f"appeal {pk}: refused, its bounce address has expired; nothing changed",
                "temporary": f"appeal {pk}: temporary delay reported; nothing changed",
                "unknown": f"appeal {pk}: not a delivery report; recorded for staff, nothing changed",
                "bounced": f"appeal {pk} bounced ({bounce.status}){failing}",
            }[recorded.what]
        )
