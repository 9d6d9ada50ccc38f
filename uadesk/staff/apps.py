"""The staff app: who on the staff may do what (roles), their second factor, and the audit log."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    default = True  # "uadesk.staff" means this one, not the admin's config below
    name = "uadesk.staff"
    verbose_name = _("Staff")

    def ready(self):
        from .roles import roles_sync

        # After every migrate, so that a new app's permissions join the roles that need them.
        post_migrate.connect(roles_sync, sender=self)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by our site that asks staff for their second factor."""

    default = False
    default_site = "uadesk.staff.site.StaffSite"
