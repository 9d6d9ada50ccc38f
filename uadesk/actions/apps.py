"""The actions app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "uadesk.actions"
    verbose_name = _("Actions")
