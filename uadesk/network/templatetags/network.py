"""Template helpers of the network: the membership block of a supporter's data page, and members'
choices in words."""

from django import template
from django.utils.translation import get_language

from uadesk.countries import country_name

from ..forms import cases_label as _cases_label
from ..members import member_path, network_name
from ..models import Member

register = template.Library()


@register.inclusion_tag("network/_membership.html")
def membership(supporter, token: str) -> dict:
    """Their memberships on their data page, the office's first, each with the link to its choices (the
    same token)."""
    members = Member.objects.filter(supporter=supporter).select_related("section").order_by("pk")
    return {
        "memberships": [
            {"member": m, "network": network_name(m.section), "url": member_path("network:member", m, token)}
            for m in sorted(members, key=lambda m: m.section_id is not None)
        ],
    }


@register.simple_tag
def cases_label(count: int) -> str:
    return _cases_label(count)


@register.filter
def country(code: str) -> str:
    """The country's name in the reader's language, or its code."""
    return country_name(code, get_language() or "en") or code
