"""What the network's tests share: a theme, members as joining leaves them, and the links of an email."""

import re
from urllib.parse import urlsplit

from uadesk.network.models import Member
from uadesk.supporters.models import Supporter


def theme_make():
    """A theme staff keep, for members to choose."""
    from uadesk.actions.models import Theme

    return Theme.objects.get_or_create(name="Death penalty", slug="death-penalty")[0]


def member_make(email: str, *, status: str = Member.Status.ACTIVE, language: str = "", **fields) -> Member:
    """A member of this address (their supporter made if new), e.g. member_make("a@example.org")."""
    fields.setdefault("languages", "en")
    return Member.objects.create(
        supporter=Supporter.for_email(email, language=language), status=status, **fields
    )


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def paths_in(message, pattern: str) -> list[str]:
    """The paths of the links in the email's text whose path matches `pattern`, e.g. r"/network/leave/"."""
    urls = re.findall(r"https?://\S+", text_of(message))
    return [urlsplit(url).path for url in urls if re.search(pattern, urlsplit(url).path)]
