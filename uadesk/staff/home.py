"""The staff home: the desk's day (open actions, drafts, letters held, failed deliveries, replies and
outcomes), each part shown only to a staff member whose permissions let them open it, and of letters and
replies a section's staff see their own section's."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Outcome, local_today
from uadesk.appeals.models import Appeal, Reply
from uadesk.delivery.models import Message

from .sections import visible

# Long lists belong on their own pages: the home shows the first few and links to the rest.
SHOWN = 8


@dataclass
class Link:
    label: str
    url: str


@dataclass
class DeskDay:
    open_actions: list | None = None
    drafts: list | None = None
    draft_count: int = 0
    held: list | None = None
    held_count: int = 0
    failed: list | None = None
    failed_count: int = 0
    replies: list | None = None
    outcomes: list | None = None
    links: list[Link] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)


def is_administrator(user) -> bool:
    """Administrators run the desk itself: staff accounts, sign-in locks, the task queue."""
    from .roles import ADMINISTRATOR

    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()


def desk_day(*, user) -> DeskDay:
    """What waits for this staff member today; a part they may not see stays None (not shown)."""
    day = DeskDay()
    may = user.has_perm
    if may("actions.view_action"):
        _actions(day, may("reports.view_reports"))
    if may("appeals.view_appeal"):
        _held(day, visible(Appeal.objects.all(), user, "localisation__section"))
    if may("delivery.view_message"):
        failed = (
            Message.objects.filter(status=Message.Status.FAILED)
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by("-n")
        )
        labels = dict(Message.Kind.choices)
        day.failed = [(labels.get(row["kind"], row["kind"]), row["n"]) for row in failed]
        day.failed_count = sum(n for _, n in day.failed)
        day.urls["failed"] = reverse("admin:delivery_message_changelist") + "?status__exact=failed"
        day.urls["outbox"] = reverse("admin:delivery_message_changelist") + "?attention=yes"
    if may("appeals.view_reply"):
        replies = visible(Reply.objects.all(), user, "appeal__localisation__section")
        day.replies = list(
            replies.select_related("appeal__target", "appeal__action").order_by("-created_at")[:5]
        )
        day.urls["replies"] = reverse("admin:appeals_reply_changelist")
    if may("actions.view_outcome"):
        day.outcomes = list(Outcome.objects.select_related("action", "individual")[:5])
    day.links = _links(user)
    return day


def _actions(day: DeskDay, with_reports: bool) -> None:
    today = local_today()
    counted = Q(appeals__status__in=Appeal.COUNTED)
    day.open_actions = list(
        Action.objects.open_on(today)
        .annotate(appeals_sent=Count("appeals", filter=counted))
        .order_by("effective_deadline_db", "title")
    )
    for action in day.open_actions:
        action.days = action.days_left(today)
        action.report_url = reverse("reports:action", args=[action.slug]) if with_reports else ""
    drafts = Action.objects.filter(status=Action.Status.DRAFT)
    day.drafts = list(drafts.order_by("-created_at")[:SHOWN])
    day.draft_count = drafts.count() if len(day.drafts) == SHOWN else len(day.drafts)
    changelist = reverse("admin:actions_action_changelist")
    day.urls["drafts"] = changelist + "?status__exact=draft"
    day.urls["actions"] = changelist


def _held(day: DeskDay, appeals) -> None:
    held = (
        appeals.filter(status=Appeal.Status.HELD)
        .values("action_id", "action__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "action__title")
    )
    queue = reverse("admin:appeals_appeal_changelist") + "?status__exact=held"
    day.held = [
        (row["action__title"], row["n"], f"{queue}&action__id__exact={row['action_id']}") for row in held
    ]
    day.held_count = sum(n for _, n, _ in day.held)
    day.urls["held"] = queue


def _links(user) -> list[Link]:
    candidates = [
        ("actions.add_action", _("Import a UA document"), "ingest"),
        ("actions.view_action", _("Actions"), "admin:actions_action_changelist"),
        ("reports.view_reports", _("Reports"), "reports:all"),
        ("events.view_event", _("Letter-writing events"), "events:list"),
        ("delivery.view_message", _("Outbox"), "admin:delivery_message_changelist"),
    ]
    links = []
    for permission, label, name in candidates:
        if user.has_perm(permission):
            try:
                links.append(Link(label, reverse(name)))
            except NoReverseMatch:  # an app left out of this installation
                continue
    return links
