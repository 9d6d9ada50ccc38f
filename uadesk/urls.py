"""Routes: the public pages in the reader's language, and the staff admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views, webfonts
from .ingest import views as ingest_views
from .operations import views as operations_views
from .petitions import views as petition_views

admin.site.site_header = "uadesk"
admin.site.site_title = "uadesk staff"

urlpatterns = [
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("staff/ingest/", ingest_views.ingest, name="ingest"),
    path("staff/reports/", include("uadesk.reports.urls")),
    path("staff/", admin.site.urls),
    path("health/", views.health, name="health"),
    # For Prometheus, at the path it asks by default (a token or an allowed network: uadesk/operations).
    path("metrics", operations_views.metrics, name="metrics"),
    path("fonts/<str:token>.css", webfonts.stylesheet, name="webfonts_stylesheet"),
    path("fonts/<str:token>.woff2", webfonts.face, name="webfonts_face"),
    path("api/", include("uadesk.api.urls")),
    path("federation/", include("uadesk.federation.urls")),
    # Numbers for other sites' scripts: no language, and no redirect that their CORS would refuse.
    path("petitions/<slug:slug>/count.json", petition_views.count, name="petition_count"),
]
urlpatterns += i18n_patterns(
    path("", include("uadesk.actions.urls")),
    path("", include("uadesk.appeals.urls")),
    path("petitions/", include("uadesk.petitions.urls")),
    path("supporters/", include("uadesk.supporters.urls")),
    path("network/", include("uadesk.network.urls")),
    path("events/", include("uadesk.events.urls")),
    prefix_default_language=True,
)
