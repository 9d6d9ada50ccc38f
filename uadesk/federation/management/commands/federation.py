"""`uadesk federation key|grant|subscribe|pull|report`: linking this desk to others from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from uadesk.actions.models import Section

from ...keys import desk_public_text
from ...models import Subscription
from ...pull import PullError, subscription_pull
from ...services import access_grant, subscription_create


def _one_line(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m for e in errors for m in e.messages)}"
                         for field, errors in error.error_dict.items())  # fmt: skip
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Desks linked into a network (docs/federation.md)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("key", help="this desk's public key")
        grant = commands.add_parser("grant", help="(office) a section desk's access: prints its token")
        grant.add_argument("section", help="the section's code")
        grant.add_argument("--desk-key", required=True, help="the section desk's key, ed25519:…")
        subscribe = commands.add_parser("subscribe", help="(section) read an office desk's feed")
        subscribe.add_argument("feed_url")
        subscribe.add_argument("--token", required=True)
        subscribe.add_argument("--office-key", required=True, help="the office desk's key, ed25519:…")
        subscribe.add_argument("--section", required=True, help="the code of the section this desk is")
        subscribe.add_argument("--name", default="")
        commands.add_parser("pull", help="pull every subscription's feed now")
        commands.add_parser("report", help="send every report that is due now")

    def handle(self, *args, command: str, **options):
        if command == "key":
            self.stdout.write(desk_public_text())
        elif command == "grant":
            access, token = access_grant(
                section=self._section(options["section"]), desk_key=options["desk_key"]
            )
            self.stdout.write(f"token: {token}\noffice_key: {desk_public_text()}")
        elif command == "subscribe":
            subscription = subscription_create(
                name=options["name"], feed_url=options["feed_url"], token=options["token"],
                office_key=options["office_key"], section=self._section(options["section"]),
            )  # fmt: skip
            self.stdout.write(f"subscribed to {subscription.feed_url}")
        elif command == "pull":
            for subscription in Subscription.objects.select_related("section"):
                try:
                    result = subscription_pull(subscription)
                except PullError as error:
                    raise CommandError(f"{subscription.name}: {error}", returncode=1) from None
                self.stdout.write(
                    f"{subscription.name}: {len(result.created)} new, {len(result.changed)} changed, "
                    f"{result.outcomes} outcomes"
                )
        elif command == "report":
            from ...reporting import report_send, reports_due

            due = list(reports_due())
            sent = sum(1 for entry in due if report_send(entry))
            self.stdout.write(f"{sent} of {len(due)} reports sent")
            if sent < len(due):
                raise CommandError(
                    f"{len(due) - sent} reports not sent; they go again on the next run", returncode=1
                )

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ValidationError as error:
            raise CommandError(_one_line(error), returncode=2) from None

    def _section(self, code: str) -> Section:
        section = Section.objects.filter(code=code).first()
        if section is None:
            raise CommandError(f"no section has the code {code!r}", returncode=2)
        return section
