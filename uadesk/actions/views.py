"""Public pages: the list of actions and one action with everything a supporter needs."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Action, local_today


def action_list(request):
    today = local_today()
    return render(
        request,
        "actions/action_list.html",
        {
            "open_actions": Action.objects.open_on(today),
            "closed_actions": Action.objects.closed_on(today)[:50],
            "today": today,
        },
    )


def action_detail(request, slug):
    action = get_object_or_404(Action, slug=slug)
    # Staff may preview a draft; nobody else learns that it exists.
    if action.status == Action.Status.DRAFT and not request.user.is_staff:
        raise Http404
    today = local_today()
    targets = list(action.targets.all())
    letters = list(action.letters.all())
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "is_open": action.is_open(today),
            "days_left": action.days_left(today),
            "individuals": action.individuals.all(),
            "primary_targets": [t for t in targets if t.role == t.Role.PRIMARY],
            "other_targets": [t for t in targets if t.role != t.Role.PRIMARY],
            "letters": letters,
            "email_target": next((t for t in targets if t.email_list), None),
        },
    )
