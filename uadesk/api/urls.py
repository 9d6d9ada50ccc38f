"""The API's routes, under /api/ outside the language prefixes; anything else under /api/ is a JSON 404."""

from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("advocacy_campaigns", views.campaigns, name="campaigns"),
    path("advocacy_campaigns/<slug:slug>", views.campaign, name="campaign"),
    path("advocacy_campaigns/<slug:slug>/publish", views.campaign_publish, name="campaign-publish"),
    path("advocacy_campaigns/<slug:slug>/export", views.campaign_export, name="campaign-export"),
    path("advocacy_campaigns/<slug:slug>/outreaches", views.campaign_outreaches, name="campaign-outreaches"),
    path("advocacy_campaigns/<slug:slug>/appeals", views.campaign_appeals, name="campaign-appeals"),
    path("advocacy_campaigns/<slug:slug>/mailings", views.campaign_mailings, name="campaign-mailings"),
    path("advocacy_campaigns/<slug:slug>/targets", views.campaign_targets, name="campaign-targets"),
    path(
        "advocacy_campaigns/<slug:slug>/targets/<int:target_id>",
        views.campaign_target,
        name="campaign-target",
    ),
    path("actions/<int:action_id>/feedback", views.action_feedback, name="action-feedback"),
    path("petitions", views.petitions, name="petitions"),
    path("petitions/<slug:slug>", views.petition, name="petition"),
    path("petitions/<slug:slug>/signatures", views.petition_signatures, name="petition-signatures"),
    re_path(r"^(?P<rest>[\s\S]*)\Z", views.not_found),  # newlines too
]
