"""Work across the network's models: a member's data for their own page and its erasure."""

from uadesk.supporters.models import Supporter

from .models import ActedReport, Member, Recipient


def supporter_data(supporter: Supporter) -> dict:
    member = Member.objects.filter(supporter=supporter).first()
    if member is None:
        return {}
    return {
        "member": {
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
        },
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


def forget_supporter(supporter: Supporter) -> None:
    # Recipients and acted reports keep their counts with no member; the member row goes with the
    # supporter (CASCADE). The suppression list keeps only the keyed hash of one who left.
    member = Member.objects.filter(supporter=supporter).first()
    if member is not None:
        Recipient.objects.filter(member=member).update(member=None)
        ActedReport.objects.filter(member=member).update(member=None)
