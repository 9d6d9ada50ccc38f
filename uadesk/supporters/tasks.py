"""Supporters' background work: the link to their data page by email, and the retention rule."""

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from uadesk.delivery.email import EmailTransport
from uadesk.delivery.transport import OutgoingLetter

from .links import data_url
from .models import Supporter
from .services import supporters_forget_inactive


@task()
def send_data_link(email_hash: str) -> bool:
    """Emails a link to the supporter with this keyed hash, if there is one.

    Older links keep working: anyone can ask in anyone's name, and that must not end the links in
    the owner's emails. It takes the hash, not the address: the task's arguments are stored in the
    database.
    """
    supporter = Supporter.objects.filter(email_hash=email_hash).first()
    if supporter is None:
        return False
    with translation.override(supporter.page_language):
        context = {"url": data_url(supporter), "max_age_days": settings.SUPPORTER_LINK_MAX_AGE_DAYS}
        letter = OutgoingLetter(
            subject=render_to_string("supporters/emails/data-link-subject.txt", context).strip(),
            text=render_to_string("supporters/emails/data-link-body-text.txt", context),
            html=render_to_string("supporters/emails/data-link-body-html.html", context),
        )
    with EmailTransport() as transport:
        transport.send(letter, to=supporter.email)
    return True


@task()
def forget_inactive_supporters() -> int:
    return supporters_forget_inactive()
