"""The reports app keeps no data of its own: this holds the permission to see dashboards and counts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    # No table: the model exists to carry the permission that the Analyst role holds.
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", _("Can see dashboards, counts and their exports"))]

    def __str__(self) -> str:
        return str(_("dashboard"))
