"""`uadesk report [ACTION]`: an action's counts (or all actions') in the terminal."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from uadesk.actions.models import Action
from uadesk.numbers import parse_int
from uadesk.reports.pdf import period_text
from uadesk.reports.services import appeal_report


def day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date: write it as 2026-11-29", returncode=2) from None


class Command(BaseCommand):
    help = "Prints the counts of appeals of one action (its slug or number), or of all actions."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", help="the action's slug or number; all actions if left out")
        parser.add_argument("--since", help="first day counted, YYYY-MM-DD")
        parser.add_argument("--until", help="last day counted, YYYY-MM-DD")

    def handle(self, *args, action=None, since=None, until=None, **options):
        found = None
        if action:
            pk = parse_int(action)
            lookup = {"pk": pk} if pk is not None else {"slug": action}
            found = Action.objects.filter(**lookup).first()
            if found is None:
                shown = action if len(action) <= 60 else f"{action[:60]}…"
                raise CommandError(f"no action “{shown}”: give its slug or number", returncode=2)
        since, until = since and day(since), until and day(until)
        if since and until and since > until:
            raise CommandError("--since is after --until", returncode=2)
        report = appeal_report(found, since=since, until=until)
        self.stdout.write(f"{found.title if found else 'All actions'} — {period_text(since, until)}")
        self.stdout.write(f"Appeals sent: {report.total}")
        for heading, pairs in [
            ("By action", report.by_action),
            ("By channel", report.by_channel),
            ("By target", report.by_target),
            ("By letter language", report.by_language),
            ("By supporter's country", report.by_country),
            ("Online or at an event", report.by_source),
            ("Members who said they wrote off the desk", report.off_desk),
            ("Waiting", report.pending),
            ("Not delivered", report.failed),
        ]:
            if not pairs:
                continue
            width = max(len(str(label)) for label, _ in pairs)
            self.stdout.write(f"\n{heading}")
            for label, n in pairs:
                self.stdout.write(f"  {str(label):<{width}}  {n:>8}")
