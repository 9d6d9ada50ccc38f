"""The note beside every button that takes personal data: who keeps it, for what, how long, and where
the privacy notice is."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("supporters/_collects.html")
def collects(purpose: str) -> dict:
    """`purpose`: letters, signature, reminder or link: what the form's data is kept for."""
    return {
        "purpose": purpose,
        "organisation": settings.ORGANISATION_NAME,
        "months": settings.SUPPORTER_RETENTION_MONTHS,
    }
