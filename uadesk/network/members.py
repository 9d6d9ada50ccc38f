"""The network's members: joining with double opt-in, their choices, leaving at once, and the addresses
never to mail again (bounces, complaints, those who left), whatever staff import or do. Each section on
the desk (and the office) is a network of its own: one joins, confirms and leaves each one apart.

`unsubscribe_url(member)` is the leaving link of every email to a member (and its List-Unsubscribe
header); `suppress(email_hash, reason)` stops all mail to an address (for leaving, one network's);
`member_bounced` is what the senders of members' emails do with what comes back to them."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from uadesk.actions.models import Action, Section, Theme
from uadesk.delivery.bounces import Kind
from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.supporters import crypto
from uadesk.supporters.links import site_link, token_for
from uadesk.supporters.models import Supporter

from .models import Member, Recipient, Suppression

# The languages a member may say they read: the desk's own and a few that many members read. Codes as
# the actions' letters have them ("zh", not the page's "zh-hans"); "zh-hant" is Chinese too (cases and
# letters match it as "zh"), read in traditional characters: its emails and pages are the desk's
# Traditional Chinese.
MEMBER_LANGUAGES = (
    "en", "fr", "es", "ar", "zh", "zh-hant", "de", "pt", "it", "nl", "ru", "tr", "fa", "ja", "ko",
)  # fmt: skip
_READING = {"zh-hans": "zh"}  # the desk's page languages as languages read
_PAGES = {"zh": "zh-hans"}  # and back
# "At most N cases in any 30 days" as the forms offer it; empty is every Urgent Action.
CASES_PER_MONTH = (1, 2, 4)
# The kinds of message that go to a member: cancelled at once when they leave or are suppressed.
MEMBER_KINDS = (Message.Kind.MEMBER_CONFIRM, Message.Kind.MEMBER_WELCOME)
LEAVE_SALT = "uadesk.network.leave"


def reading_language(code: str) -> str:
    """A language a member may read, from its code in any case ("FR", "zh-Hans"), or "" if none."""
    code = (code or "").strip().lower()
    code = _READING.get(code, code)
    return code if code in MEMBER_LANGUAGES else ""


def page_language(languages: list[str]) -> str:
    """The desk's page language for someone who reads these: the first the desk speaks, else ""."""
    spoken = {code for code, _ in settings.LANGUAGES}
    for code in languages:
        if (page := _PAGES.get(code, code)) in spoken:
            return page
    return ""


def case_countries() -> list[str]:
    """The countries of the published actions' cases (ISO codes): what a member may choose to follow."""
    actions = Action.objects.filter(status=Action.Status.PUBLISHED).prefetch_related("targets")
    return sorted({code for action in actions for code in action.case_countries()})


@dataclass
class Choices:
    """What a member chose: the languages they read (in their order), the channel (post needs their
    postal address), at most so many cases in any 30 days (None: every one), countries and themes
    (empty: any), and a pause."""

    languages: list[str]
    channel: str = Member.Channel.EMAIL
    postal_address: str = ""
    postcode: str = ""
    most_per_30_days: int | None = None
    countries: list[str] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    paused_until: datetime.date | None = None

    def apply(self, member: Member) -> None:
        """Onto the member's row (saved by the caller, then apply_themes)."""
        member.languages = ", ".join(self.languages)
        member.channel = self.channel
        # Their postal address is kept only while cases go by post: the least personal data.
        by_post = self.channel == Member.Channel.POST
        member.postal_address = self.postal_address if by_post else ""
        member.postcode = self.postcode.strip() if by_post else ""
        member.most_per_30_days = self.most_per_30_days
        member.countries = ", ".join(self.countries)
        member.paused_until = self.paused_until

    def apply_themes(self, member: Member) -> None:
        member.themes.set(self.themes)


def network_name(section: Section | None) -> str:
    """Who the network is, in its emails, pages and consent: the section, or the organisation."""
    return section.name if section is not None else settings.ORGANISATION_NAME


def is_suppressed(email_hash: str, section: Section | None = None) -> bool:
    """Whether the network of `section` (None: the office's) must not mail this address."""
    return Suppression.against(section).filter(email_hash=email_hash).exists()


def member_join(
    *, email: str, choices: Choices, language: str, section: Section | None = None
) -> Member | None:
    """Someone asked to join the network of `section` (None: the office's) with this address; anyone can
    type anyone's. The owner gets an email to confirm, and nothing is mailed to them before. A member
    already gets an email that says so, with the link to their choices, which a stranger's form never
    changes; an address not to be mailed gets nothing. Returns the member the email is about, if any."""
    if is_suppressed(crypto.email_hash(email), section):
        return None
    with transaction.atomic():
        supporter = Supporter.for_email(email, language=language)
        member = Member.objects.select_for_update().filter(supporter=supporter, section=section).first()
        if member is not None and member.status == Member.Status.LEFT:
            return None  # they come back from their own page only (the confirm page, by their link)
        if member is None or member.status == Member.Status.PENDING:
            member = member or Member(supporter=supporter, section=section, source=Member.Source.SITE)
            choices.apply(member)
            member.save()
            choices.apply_themes(member)
        message_queue(Message.Kind.MEMBER_CONFIRM, member.pk)
    return member


def member_confirm(*, member: Member, consent_text: str) -> bool:
    """The owner pressed the button on their own link's page: they are a member of that network, and the
    consent they were shown is kept word for word with its version and the time. One who left comes back
    this way (their leaving of this network is lifted); an address that bounced or complained is not
    mailed: False."""
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("supporter").get(pk=member.pk)
        suppression = member_suppression(member)
        if suppression is not None and suppression.reason != Suppression.Reason.UNSUBSCRIBED:
            return False
        if member.status == Member.Status.ACTIVE:
            return True
        if suppression is not None:
            suppression.delete()
        now = timezone.now()
        member.status = Member.Status.ACTIVE
        member.confirmed_at, member.left_at, member.consented_at = now, None, now
        member.consent_text = consent_text
        member.consent_version = settings.NETWORK_CONSENT_VERSION
        member.soft_bounces, member.soft_bounce_message = 0, None
        member.save()
        member.supporter.touch()
    return True


def member_suppression(member: Member) -> Suppression | None:
    """Why the member's network does not mail them, if it does not: about the address first (a bounce
    or a complaint), else their leaving of that network."""
    rows = Suppression.against(member.section_id).filter(email_hash=member.supporter.email_hash)
    return min(rows, key=lambda row: row.reason == Suppression.Reason.UNSUBSCRIBED, default=None)


def member_choices_change(*, member: Member, choices: Choices) -> None:
    with transaction.atomic():
        choices.apply(member)
        member.save()
        choices.apply_themes(member)
    member.supporter.touch()


def member_path(name: str, member: Member, token: str) -> str:
    """The path of the member's own page `name` ("network:member", "network:confirm") on the link
    `token` of their data page: a section's membership is found by its code in the path."""
    kwargs = {"token": token} | ({"section": member.section.code} if member.section_id else {})
    return reverse(name, kwargs=kwargs)


def _link(name: str, member: Member) -> str:
    supporter = member.supporter
    with translation.override(supporter.page_language):
        return f"{settings.LINK_BASE_URL}{member_path(name, member, token_for(supporter))}"


def preferences_url(member: Member) -> str:
    """The member's own page of choices, by the signed link of their data page."""
    return _link("network:member", member)


def confirm_url(member: Member) -> str:
    return _link("network:confirm", member)


class LeaveInvalid(Exception):
    """A leaving link forged, mangled, or of a member erased since."""


def unsubscribe_url(member: Member, *, recipient: Recipient | None = None) -> str:
    """The link that takes the member off the network at once: in every email to them, and in its
    List-Unsubscribe header (a mail app POSTs to it, RFC 8058). It names the member and their supporter
    row, and the mailing's recipient row if it is in a mailing's email (its report counts who left from
    it), signed; it never expires, and a new data link does not end it."""
    named = [member.pk, member.supporter_id] + ([recipient.pk] if recipient is not None else [])
    # Not timestamped: the link never expires, and one member's link is the same in every email.
    token = signing.Signer(salt=LEAVE_SALT).sign_object(named)
    return site_link("network:leave", member.supporter.page_language, token=token)


def leave_path(member: Member) -> str:
    """The leaving link on this site, for a form of its own pages."""
    return urlsplit(unsubscribe_url(member)).path


def leave_read(token: str) -> tuple[Member, int | None]:
    """The member a leaving link names, and the recipient row of the mailing it came in, if any."""
    try:
        named = signing.Signer(salt=LEAVE_SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        raise LeaveInvalid from None
    if not (isinstance(named, list) and len(named) in (2, 3) and all(isinstance(n, int) for n in named)):
        raise LeaveInvalid
    member = Member.objects.select_related("supporter").filter(pk=named[0], supporter_id=named[1]).first()
    if member is None:
        raise LeaveInvalid
    return member, (named[2] if len(named) == 3 else None)


def member_leave(*, member: Member, recipient_pk: int | None = None) -> None:
    """Off the member's network at once: no email of it waiting for them goes, and that network never
    mails their address again, by an import or by staff; another section where they are a member too
    goes on. Safe to do twice (a mail app's one-click POST, then the person's click). From a mailing's
    link, that mailing counts it (Recipient.unsubscribed_at, the mailings' field)."""
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("supporter").get(pk=member.pk)
        if member.status != Member.Status.LEFT:
            member.status, member.left_at = Member.Status.LEFT, timezone.now()
            member.save(update_fields=["status", "left_at"])
            if recipient_pk is not None:
                Recipient.objects.filter(pk=recipient_pk, member=member).update(
                    unsubscribed_at=member.left_at
                )
        suppress(member.supporter.email_hash, Suppression.Reason.UNSUBSCRIBED, section=member.section)


def member_messages(member: Member) -> QuerySet[Message]:
    """Every outbox message to the member: confirmations and welcomes name the member, a mailing's
    messages the member's recipient row."""
    recipients = Recipient.objects.filter(member=member).values("pk")
    return Message.objects.filter(
        Q(kind__in=MEMBER_KINDS, ref=member.pk) | Q(kind=Message.Kind.MAILING, ref__in=recipients)
    )


def suppress(email_hash: str, reason: str, *, section: Section | None = None) -> None:
    """This address is not mailed again, by any network for a bounce or a complaint, by the network of
    `section` (None: the office's) for leaving: what waits in the outbox for its members there is
    cancelled, and their planned places in mailings are given up. The first reason stays."""
    with transaction.atomic():
        Suppression.add(email_hash, reason, section)
        members = Member.objects.filter(supporter__email_hash=email_hash)
        if reason == Suppression.Reason.UNSUBSCRIBED:
            members = members.filter(section=section)
        for member in members:
            member_messages(member).cancel()
            Recipient.objects.filter(
                member=member, status__in=[Recipient.Status.PLANNED, Recipient.Status.QUEUED]
            ).update(status=Recipient.Status.SKIPPED)


def suppressions_lift(suppressions: QuerySet[Suppression]) -> dict[str, int]:
    """Staff heard that a bounced address works again (its owner mended their mailbox): it is mailed
    again from the next mailing, its count of temporary failures started afresh. Only bounces are
    lifted; the other reasons stay. Returns how many were lifted, by reason."""
    with transaction.atomic():
        lifted = list(
            suppressions.select_for_update()
            .filter(reason__in=Suppression.LIFTABLE)
            .values_list("pk", "email_hash", "reason")
        )
        hashes = [email_hash for _, email_hash, _ in lifted]
        members = Member.objects.filter(supporter__email_hash__in=hashes)
        members.update(soft_bounces=0, soft_bounce_message=None)
        Suppression.objects.filter(pk__in=[pk for pk, _, _ in lifted]).delete()
    return dict(Counter(reason for _, _, reason in lifted))


def member_bounced(*, member: Member, message: Message, kind: str) -> str:
    """What came back to an email to a member: a permanent failure or a spam complaint stops all mail
    to the address at once; temporary failures do after NETWORK_SOFT_BOUNCES_TO_SUPPRESS messages in a
    row (no message to them sent between two of them that did not fail). Says what it changed."""
    email_hash = member.supporter.email_hash
    if kind == Kind.PERMANENT:
        suppress(email_hash, Suppression.Reason.HARD_BOUNCE)
        return "the address does not exist; it is not mailed again"
    if kind == Kind.COMPLAINT:
        suppress(email_hash, Suppression.Reason.COMPLAINT)
        return "marked as spam; the address is not mailed again"
    if kind != Kind.TEMPORARY:
        return "nothing changed"
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.soft_bounce_message == message.pk:
            return "this message's failure was counted already; nothing changed"
        previous = Message.objects.filter(pk=member.soft_bounce_message).first()
        in_a_row = False
        if previous is not None and previous.sent_at and message.sent_at:
            start, end = sorted([previous.sent_at, message.sent_at])
            between = member_messages(member).filter(
                status=Message.Status.SENT, sent_at__gt=start, sent_at__lt=end
            )
            in_a_row = not between.exists()
        member.soft_bounces = member.soft_bounces + 1 if in_a_row else 1
        member.soft_bounce_message = message.pk
        member.save(update_fields=["soft_bounces", "soft_bounce_message"])
        if member.soft_bounces >= settings.NETWORK_SOFT_BOUNCES_TO_SUPPRESS:
            suppress(email_hash, Suppression.Reason.SOFT_BOUNCES)
            return f"temporary failure {member.soft_bounces} in a row; the address is not mailed again"
    return f"temporary failure {member.soft_bounces} in a row; nothing else changed"


# The columns of staff's export of members: their choices and the record of their consent, never their
# address (email or postal): staff who need one find it by the address, or print the run.
EXPORT_COLUMNS = (
    "member", "section", "status", "source", "languages", "channel", "cases_per_month", "countries", "themes",
    "paused_until", "joined", "confirmed", "left", "consent_version", "consent_given", "consent_origin",
)  # fmt: skip


def members_table(members: QuerySet[Member]) -> list[list]:
    """The members as rows under EXPORT_COLUMNS (the header first)."""
    rows: list[list] = [list(EXPORT_COLUMNS)]
    members = members.select_related("section").prefetch_related("themes").order_by("pk")
    for m in members.iterator(chunk_size=1000):
        rows.append([
            m.pk, m.section.code if m.section_id else "", m.status, m.source, m.languages, m.channel,
            m.most_per_30_days or "", m.countries, ", ".join(t.slug for t in m.themes.all()), m.paused_until,
            m.joined_at, m.confirmed_at, m.left_at, m.consent_version, m.consented_at, m.consent_origin,
        ])  # fmt: skip
    return rows
