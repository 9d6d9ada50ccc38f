"""A mailing's email to each member: the case in their language, the officials, "write now", the
"I have acted" links and the one-click way out; built when it goes, as every outbox message is."""

import time

from django.conf import settings
from django.core import signing
from django.utils import translation

from uadesk.delivery.bounces import Kind, message_bounce_address
from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.delivery.transport import OutgoingLetter
from uadesk.supporters.links import data_url, site_link

from .models import ActedReport, Mailing, Member, Recipient, Suppression

ACTED_SALT = "uadesk.network.acted"


class ActedInvalid(Exception):
    """An "I have acted" link forged, mangled, or of a member erased since."""


def acted_urls(recipient: Recipient) -> dict[str, str]:
    """The links by which a member says they wrote on this mailing's case, by each channel: no login,
    the recipient row named and signed (one token for the three)."""
    token = signing.dumps(recipient.pk, salt=ACTED_SALT, compress=False)
    return {
        c: site_link("network:acted", recipient.language, token=token, channel=c)
        for c in ActedReport.Channel.values
    }


def acted_read(token: str) -> Recipient:
    try:
        pk = signing.loads(token, salt=ACTED_SALT)
    except signing.BadSignature:
        raise ActedInvalid from None
    recipient = (
        Recipient.objects.select_related("mailing__action", "member").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if recipient is None or recipient.member is None:
        raise ActedInvalid
    return recipient


def acted_record(recipient: Recipient, channel: str) -> bool:
    """Counts one appeal made off the desk; once per member, action and channel however often they
    press. True if it was new."""
    _, created = ActedReport.objects.get_or_create(
        member=recipient.member, action=recipient.mailing.action, channel=channel,
        defaults={"mailing": recipient.mailing},
    )  # fmt: skip
    return created


# Where the personal links go in an email rendered once for every member of a language; each is a
# plain word so that neither the text nor the HTML template changes it.
PERSONAL = ("UADESKLINKEMAIL", "UADESKLINKPOST", "UADESKLINKFAX", "UADESKLINKLEAVE", "UADESKLINKCHOICES")


def mailing_context(mailing: Mailing, language: str) -> dict:
    action = mailing.action
    targets = [t for t in action.targets_for() if t.role == t.Role.PRIMARY] or action.targets_for()
    channels = {c for t in targets for c in t.channels_offered()}
    with translation.override(language):
        write_url = f"{settings.LINK_BASE_URL}{action.get_absolute_url()}"
    case = action.text_in(language)
    for target in targets:
        target.shown_title = case.official(target, "title")
        target.shown_salutation = case.official(target, "salutation")
    return {
        "mailing": mailing,
        "action": action,
        "case": case,
        "outcome": mailing.outcome,
        "individuals": [i for i in action.individuals.all() if i.is_named],
        "targets": targets,
        "deadline": action.effective_deadline,
        "write_url": write_url,
        "fax_offered": "fax" in channels,
        "acted_email_url": PERSONAL[0],
        "acted_post_url": PERSONAL[1],
        "acted_fax_url": PERSONAL[2],
        "choices_url": PERSONAL[4],
    }


def mailing_letter(mailing: Mailing, language: str) -> OutgoingLetter:
    """The email of a mailing in one language, with the personal links still to fill in."""
    with translation.override(language):
        return templated(
            "network/emails/mailing", mailing_context(mailing, language), unsubscribe_url=PERSONAL[3]
        )


def personal(
    letter: OutgoingLetter, links: dict[str, str], *, bounce_address: str | None = None
) -> OutgoingLetter:
    def fill(text: str | None) -> str | None:
        if text is None:
            return None
        for word, url in links.items():
            text = text.replace(word, url)
        return text

    return OutgoingLetter(
        subject=letter.subject, text=fill(letter.text), html=fill(letter.html),
        unsubscribe_url=links[PERSONAL[3]], bounce_address=bounce_address,
    )  # fmt: skip


# A worker renders each mailing once per language, not once per member: the templates would be most of
# an email's cost. Kept a minute, so a correction staff make to the case reaches the emails not yet sent.
_rendered: dict[tuple[int, str], tuple[float, OutgoingLetter]] = {}
RENDERED_SECONDS = 60


def rendered_letter(mailing: Mailing, language: str) -> OutgoingLetter:
    key, now = (mailing.pk, language), time.monotonic()
    kept = _rendered.get(key)
    if kept is None or kept[0] < now:
        if len(_rendered) > 64:
            _rendered.clear()
        kept = _rendered[key] = (now + RENDERED_SECONDS, mailing_letter(mailing, language))
    return kept[1]


class MailingSender(Sender):
    kind = Message.Kind.MAILING
    about = "network.recipient"

    def envelopes(self, messages):
        from .members import unsubscribe_url

        recipients = Recipient.objects.select_related("member__supporter").in_bulk(m.ref for m in messages)
        # Each mailing and its action once for the batch, not joined to every recipient's row: an
        # action's texts are long, and most batches hold one mailing.
        mailings = Mailing.objects.select_related("action").in_bulk(
            {r.mailing_id for r in recipients.values()}
        )
        suppressed = Suppression.stops([r.member for r in recipients.values() if r.member is not None])
        found: dict[int, Envelope | str] = {}
        for m in messages:
            if m.params.get("test"):
                found[m.pk] = self.test_envelope(m.params)
                continue
            recipient = recipients.get(m.ref)
            if recipient is None or recipient.member is None:
                continue  # erased: the message is cancelled
            member = recipient.member
            if member.status != Member.Status.ACTIVE:
                found[m.pk] = "the member left or is not confirmed"
                continue
            if member.pk in suppressed:
                found[m.pk] = "the address is not to be mailed"
                continue
            acted = acted_urls(recipient)
            links = dict(
                zip(
                    PERSONAL,
                    [
                        acted["email"],
                        acted["post"],
                        acted["fax"],
                        unsubscribe_url(member, recipient=recipient),
                        data_url(member.supporter),
                    ],
                    strict=True,
                )
            )
            letter = rendered_letter(mailings[recipient.mailing_id], recipient.language)
            letter = personal(letter, links, bounce_address=message_bounce_address(m.pk))
            found[m.pk] = Envelope("email", letter, member.supporter.email)
        return found

    @staticmethod
    def test_envelope(params: dict) -> Envelope | str:
        """Staff's test of a mailing, in one language, to their own address; its links lead nowhere."""
        from django.contrib.auth import get_user_model

        mailing = Mailing.objects.select_related("action").filter(pk=params["test"]).first()
        user = get_user_model().objects.filter(pk=params.get("user")).first()
        if mailing is None or user is None or not user.email:
            return "the mailing or the staff member is gone"
        language = params.get("language") or settings.LANGUAGE_CODE
        letter = personal(
            mailing_letter(mailing, language), dict.fromkeys(PERSONAL, settings.LINK_BASE_URL + "/")
        )
        return Envelope("email", letter, user.email)

    def bounced(self, message, bounce) -> str:
        """A mailing's email came back: the recipient shows as bounced in its report, and the member's
        address counts it as every email to them does."""
        from .members import member_bounced

        recipient = Recipient.objects.select_related("member__supporter").filter(pk=message.ref).first()
        if recipient is None or recipient.member is None:
            return "its member no longer exists; ignored"
        if bounce.kind == Kind.PERMANENT:
            Recipient.objects.filter(pk=recipient.pk).update(status=Recipient.Status.BOUNCED)
        return member_bounced(member=recipient.member, message=message, kind=bounce.kind)

    def became(self, status, refs):
        recipient_status = {
            Message.Status.SENT: Recipient.Status.SENT,
            Message.Status.FAILED: Recipient.Status.BOUNCED,
            Message.Status.CANCELLED: Recipient.Status.SKIPPED,
            Message.Status.WAITING: Recipient.Status.QUEUED,
        }.get(status)
        if recipient_status:
            Recipient.objects.filter(pk__in=[ref for ref in refs if ref]).update(status=recipient_status)


def register() -> None:
    sender_register(MailingSender())
