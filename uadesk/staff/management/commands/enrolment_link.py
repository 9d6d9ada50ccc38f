"""`uadesk enrolment_link USERNAME`: a one-time set-up link for a staff member's second factor, for the
first administrator (nobody else can issue theirs) and for whoever runs the desk."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from uadesk.staff.services import ENROLMENT_MAX_AGE, enrolment_issue, needs_enrolment


class Command(BaseCommand):
    help = "Prints a one-time link with which a staff member sets up their authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True, is_staff=True).first()
        if user is None:
            raise CommandError(f"no active staff account {username!r}", returncode=2)
        if not needs_enrolment(user):
            raise CommandError(
                f"{username!r} already has a second factor: delete their device in the staff desk first",
                returncode=2,
            )
        self.stdout.write(
            f"{settings.LINK_BASE_URL}{enrolment_issue(user)}\n"
            f"(for {username} only, once, within {ENROLMENT_MAX_AGE.days} days; sign in, then open it)"
        )
