"""Links to a supporter's own data page: signed, expiring, and ended by erasure or a new link."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare

from .models import Supporter

SALT = "uadesk.supporters.data-link"


class LinkInvalid(Exception):
    """Forged, mangled, or for a supporter who has erased their data or asked for a new link."""


class LinkExpired(LinkInvalid):
    """Genuine, but older than SUPPORTER_LINK_MAX_AGE_DAYS."""


def token_for(supporter: Supporter) -> str:
    # The pk finds the row; the link key ties the token to this row's current key, so renewing the
    # key (or erasing the row) ends every token made before. Signed with SECRET_KEY and timestamped.
    return signing.dumps([supporter.pk, supporter.link_key], salt=SALT, compress=False)


def supporter_for(token: str) -> Supporter:
    """The supporter a token was made for; raises LinkExpired or LinkInvalid."""
    max_age = datetime.timedelta(days=settings.SUPPORTER_LINK_MAX_AGE_DAYS)
    try:
        pk, key = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, TypeError, ValueError):
        raise LinkInvalid from None
    supporter = Supporter.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if supporter is None or not constant_time_compare(supporter.link_key, str(key)):
        raise LinkInvalid
    return supporter


def data_url(supporter: Supporter) -> str:
    """The supporter's data page, to put in every email the desk sends them: a whole address.

    In the supporter's own language where the desk speaks it.
    """
    with translation.override(supporter.page_language):
        path = reverse("supporters:data", kwargs={"token": token_for(supporter)})
    return f"{settings.LINK_BASE_URL}{path}"
