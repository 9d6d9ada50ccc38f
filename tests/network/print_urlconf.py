"""The desk's routes with the print run's staff pages mounted as the Mailing admin mounts them, under a
namespace of their own: the tests need them before the admin wires them in."""

from django.urls import include, path

from uadesk.network.admin_print import print_urls
from uadesk.urls import urlpatterns as desk

urlpatterns = [path("staff/network/mailing/", include((print_urls, "mailing_print"))), *desk]
