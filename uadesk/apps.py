"""The project itself as an app, so it can carry the commands that span the desk (`uadesk run`)."""

from django.apps import AppConfig


class UadeskConfig(AppConfig):
    name = "uadesk"
    verbose_name = "uadesk"
