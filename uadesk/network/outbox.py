"""The network's own emails to members, as messages in the outbox: the confirmation of joining (or, to a
member already, the link to their choices) and the welcome of an imported member. Each is built when it
goes, from the member's row, and never goes to an address not to be mailed."""

import dataclasses

from django.conf import settings
from django.utils import translation

from uadesk.delivery.bounces import message_bounce_address
from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.supporters.links import data_url

from .members import confirm_url, member_bounced, network_name, preferences_url, unsubscribe_url
from .models import Member, Suppression


class MemberSender(Sender):
    """A message about one member (its ref); what comes back to it counts against their address."""

    about = "network.member"

    def envelopes(self, messages):
        members = Member.objects.select_related("supporter", "section").in_bulk(m.ref for m in messages)
        suppressed = Suppression.stops(list(members.values()))
        found = {}
        for message in messages:
            member = members.get(message.ref)
            if member is None:
                found[message.pk] = None  # erased
            elif member.pk in suppressed:
                found[message.pk] = "the address is not to be mailed"
            elif member.status == Member.Status.LEFT:
                found[message.pk] = "the member left"
            else:
                found[message.pk] = self.envelope(message, member)
        return found

    def envelope(self, message: Message, member: Member) -> Envelope | str:
        raise NotImplementedError

    def letter(self, message: Message, member: Member, name: str, *, unsubscribe: bool) -> Envelope:
        """The email `network/emails/<name>` in the member's language, with the links to their choices
        and their data, going out with the message's own bounce address."""
        supporter = member.supporter
        with translation.override(supporter.page_language):
            context = {
                "member": member,
                "organisation": network_name(member.section),
                "preferences_url": preferences_url(member),
                "confirm_url": confirm_url(member),
                "data_url": data_url(supporter),
                "site_url": settings.LINK_BASE_URL,
            }
            letter = templated(
                f"network/emails/{name}",
                context,
                unsubscribe_url=unsubscribe_url(member) if unsubscribe else None,
            )
        letter = dataclasses.replace(letter, bounce_address=message_bounce_address(message.pk))
        return Envelope("email", letter, supporter.email)

    def bounced(self, message, bounce) -> str:
        member = Member.objects.select_related("supporter").filter(pk=message.ref).first()
        if member is None:
            return "its member no longer exists; ignored"
        return member_bounced(member=member, message=message, kind=bounce.kind)


class MemberConfirmSender(MemberSender):
    kind = Message.Kind.MEMBER_CONFIRM

    def envelope(self, message, member):
        # Asked for a moment ago on the join page: no List-Unsubscribe on an email the reader asked for.
        if member.status == Member.Status.ACTIVE:
            return self.letter(message, member, "already", unsubscribe=False)
        return self.letter(message, member, "confirm", unsubscribe=False)


class MemberWelcomeSender(MemberSender):
    kind = Message.Kind.MEMBER_WELCOME

    def envelope(self, message, member):
        if member.status != Member.Status.PENDING:
            return "the member confirmed already"
        # Staff brought them in: they did not ask for this email, so it says how to leave, in one click.
        return self.letter(message, member, "welcome", unsubscribe=True)


def register() -> None:
    sender_register(MemberConfirmSender())
    sender_register(MemberWelcomeSender())
