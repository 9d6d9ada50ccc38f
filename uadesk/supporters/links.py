"""Links to a supporter's own data page: signed, expiring, and ended by erasure or a new link."""

import datetime
import functools

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


def site_link(view: str, language: str, **tokens: str) -> str:
    """The whole address of one of the desk's pages in `language`, for an email; each of `tokens` a
    signed token or a plain word, which a path carries as it is."""
    url = _link_pattern(view, language, settings.LINK_BASE_URL, tuple(sorted(tokens)))
    for name, value in tokens.items():
        url = url.replace(f"UADESKARG{name.upper()}", value)
    return url


@functools.lru_cache(maxsize=256)
def _link_pattern(view: str, language: str, site: str, names: tuple[str, ...]) -> str:
    # Reversed once per page and language, not for every link: a mailing puts five in each of its
    # emails, and reverse() under a language's override was a tenth of an email's cost.
    with translation.override(language):
        return site + reverse(view, kwargs={name: f"UADESKARG{name.upper()}" for name in names})


def data_url(supporter: Supporter) -> str:
    """The supporter's data page, to put in every email the desk sends them: a whole address.

    In the supporter's own language where the desk speaks it.
    """
    return site_link("supporters:data", supporter.page_language, token=token_for(supporter))
