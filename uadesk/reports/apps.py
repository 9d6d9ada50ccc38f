"""The reports app: counts of what supporters did, for staff, in charts, tables and exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "uadesk.reports"
    verbose_name = _("Reports")
