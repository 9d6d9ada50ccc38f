"""The supporters app."""

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SupportersConfig(AppConfig):
    name = "uadesk.supporters"
    verbose_name = _("Supporters")

    def ready(self):
        from . import news, outbox
        from .services import check_holders

        outbox.register()
        news.register()

        # Every command that checks (check, migrate, run, the test runner) refuses a desk whose
        # erasure would miss a place where supporters' data is kept.
        checks.register(check_holders)
