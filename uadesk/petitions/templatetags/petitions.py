"""What other apps' pages show of petitions: the home page's list of those open for signatures."""

from django import template

from ..models import Petition

register = template.Library()
HOME_PAGE_PETITIONS = 20


@register.inclusion_tag("petitions/_open_list.html")
def open_petitions() -> dict:
    return {"petitions": Petition.objects.public().open().select_related("action")[:HOME_PAGE_PETITIONS]}
