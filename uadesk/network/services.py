"""Work across the network's models: a member's data for their own page and its erasure."""

from uadesk.supporters.models import Supporter

from .members import network_name
from .models import ActedReport, Member, Recipient


def _member_data(member: Member) -> dict:
    return {
        "network": network_name(member.section),
        "status": member.status,
        "joined": member.joined_at,
        "confirmed": member.confirmed_at,
        "consent_version": member.consent_version,
        "consent_given": member.consented_at,
        "consent_text": member.consent_text,
        "consent_origin": member.consent_origin,
        "languages": member.language_list(),
        "channel": member.channel,
        "postal_address": member.postal_address,
        "cases_in_30_days": member.most_per_30_days,
        "countries": member.country_list(),
        "themes": [t.slug for t in member.themes.all()],
        "paused_until": member.paused_until,
        "mailings_received": [
            {
                "action": r.mailing.action.title,
                "kind": r.mailing.kind,
                "when": r.created_at,
                "status": r.status,
            }
            for r in Recipient.objects.filter(member=member).select_related("mailing__action")
        ],
        "acted": [
            {"action": a.action.title, "channel": a.channel, "when": a.created_at}
            for a in ActedReport.objects.filter(member=member).select_related("action")
        ],
    }


def supporter_data(supporter: Supporter) -> dict:
    # One membership for each network they joined (the office's, a section's), each with its own consent.
    members = Member.objects.filter(supporter=supporter).select_related("section").order_by("pk")
    return {"memberships": [_member_data(member) for member in members]} if members else {}


def forget_supporter(supporter: Supporter) -> None:
    # Recipients and acted reports keep their counts with no member; the member rows go with the
    # supporter (CASCADE). The suppression list keeps only the keyed hash of one who left.
    members = Member.objects.filter(supporter=supporter)
    Recipient.objects.filter(member__in=members).update(member=None)
    ActedReport.objects.filter(member__in=members).update(member=None)
