"""The staff app: who on the staff may do what (roles), and the audit log of their changes."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "uadesk.staff"
    verbose_name = _("Staff")

    def ready(self):
        from .roles import roles_sync

        # After every migrate, so that a new app's permissions join the roles that need them.
        post_migrate.connect(roles_sync, sender=self)
