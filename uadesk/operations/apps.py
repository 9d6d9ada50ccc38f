"""The operations app: the desk's figures for monitoring (/metrics) and its health (`uadesk status`)."""

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "uadesk.operations"
    verbose_name = "Operations"
