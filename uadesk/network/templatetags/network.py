"""Template helpers of the network: the membership block of a supporter's data page, and members'
choices in words."""

from django import template
from django.utils.translation import get_language

from uadesk.countries import country_name

from ..forms import cases_label as _cases_label
from ..models import Member

register = template.Library()


@register.inclusion_tag("network/_membership.html")
def membership(supporter, token: str) -> dict:
    """Their membership on their data page, with the link to their choices (the same token)."""
    return {"member": Member.objects.filter(supporter=supporter).first(), "token": token}


@register.simple_tag
def cases_label(count: int) -> str:
    return _cases_label(count)


@register.filter
def country(code: str) -> str:
    """The country's name in the reader's language, or its code."""
    return country_name(code, get_language() or "en") or code
