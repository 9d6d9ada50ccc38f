"""The events app: letter-writing evenings, their printed pack and the letters they wrote."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "uadesk.events"
    verbose_name = _("Letter-writing events")
