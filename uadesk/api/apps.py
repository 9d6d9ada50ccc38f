"""The API app; its signals (webhooks for new appeals and signatures) connect when Django is ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "uadesk.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from uadesk.delivery.outbox import sender_register

        from . import signals
        from .services import WebhookSender

        signals.connect()
        sender_register(WebhookSender())
