"""`uadesk demo`: load the demo Urgent Action (once; running it again changes nothing)."""

from django.core.management.base import BaseCommand

from uadesk.ingest.demo import demo_load


class Command(BaseCommand):
    help = "Loads the seed Urgent Action as the demo action, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-deadline",
            action="store_true",
            help="Keep the document's own deadline even if it has passed (the action then shows as closed).",
        )

    def handle(self, *args, keep_deadline: bool = False, **options):
        action, created = demo_load(reopen=not keep_deadline)
        verb = "Loaded" if created else "Already loaded:"
        self.stdout.write(
            f"{verb} demo action “{action.title}” ({action.get_status_display()}), {action.slug}"
        )
