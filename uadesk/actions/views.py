"""Public pages: the list of actions and one action with everything a supporter needs."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language

from uadesk import pagecache

from .models import Action, Localisation, local_today


@pagecache.shared()
def action_list(request):
    today = local_today()
    open_actions = list(Action.objects.open_on(today).prefetch_related("translations"))
    closed_actions = list(Action.objects.closed_on(today).prefetch_related("translations")[:50])
    for action in open_actions + closed_actions:
        action.case = action.text_in(get_language())
    return render(
        request,
        "actions/action_list.html",
        {"open_actions": open_actions, "closed_actions": closed_actions, "today": today},
    )


def _may_preview(user) -> bool:
    return user.is_active and user.is_staff and user.is_verified() and user.has_perm("actions.view_action")


def _ways(targets) -> dict[str, bool]:
    """How a letter can go from this desk to at least one of the officials: the page promises no other.
    By email is the desk's or the supporter's own."""
    offered = {channel for target in targets for channel in target.channels_offered()}
    return {"email": bool(offered & {"email", "mailto"}), "fax": "fax" in offered, "post": "post" in offered}


@pagecache.shared(query=("text",))
def action_detail(request, slug, section=None):
    action = get_object_or_404(Action.objects.prefetch_related("translations"), slug=slug)
    # Staff who may see actions preview a draft once past their second factor (a password alone is not
    # enough, as on the staff desk); nobody else learns that it exists.
    if action.status == Action.Status.DRAFT and not _may_preview(request.user):
        raise Http404
    if section is None and (home := action.home_localisation()) is not None:
        # An action from an office desk's feed is here for this desk's section: its page is the
        # section's version (its deadline, its officials), wherever a link came from.
        query = request.GET.urlencode()
        return redirect(home.get_absolute_url() + (f"?{query}" if query else ""))
    localisation = (
        get_object_or_404(
            Localisation.objects.select_related("section"), action=action, section__code=section
        )
        if section
        else None
    )
    version = localisation or action  # whose deadline holds on this page
    today = local_today()
    # The case in the language the reader picked from the page's list, else in the page's own.
    case = action.text_in(request.GET.get("text") or get_language(), localisation)
    if not case.found and request.GET.get("text"):
        case = action.text_in(get_language(), localisation)
    targets = action.targets_for(localisation)
    for target in targets:
        target.shown_title = case.official(target, "title")
        target.shown_salutation = case.official(target, "salutation")
    letters = action.letters_for(localisation)
    chain = action.chain() if action.earlier_id or action.updates.exists() else [action]
    position = next(i for i, ua in enumerate(chain) if ua.pk == action.pk)
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "case": case,
            "localisation": localisation,
            # From an office desk's feed, the international action is the office's own page.
            "original_url": action.feed_entry.document.get("url")
            if action.from_office()
            else action.get_absolute_url(),
            "deadline": version.effective_deadline,
            "is_open": version.is_open(today),
            "ending_outcomes": action.ending_outcomes(),
            "days_left": version.days_left(today),
            "sections": action.localisations.select_related("section") if not localisation else [],
            "individuals": [p for p in action.individuals.all() if p.is_named],
            "primary_targets": [t for t in targets if t.role == t.Role.PRIMARY],
            "other_targets": [t for t in targets if t.role != t.Role.PRIMARY],
            "letters": letters,
            "email_target": next((t for t in targets if t.email_list), None),
            "ways": _ways(targets),
            "chain": chain,
            "position": position,
            "newest": chain[-1] if chain[-1].pk != action.pk else None,
            "outcomes": action.outcomes.select_related("individual"),
            "petitions": action.petitions.all(),
            "reminder_days": settings.REMINDER_DAYS_BEFORE,
        },
    )
