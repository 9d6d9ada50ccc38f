"""Periodic work: which tasks the scheduler queues, and how often. Each is safe to run twice."""

from uadesk.actions.tasks import close_expired_actions
from uadesk.appeals.tasks import expire_unconfirmed_appeals
from uadesk.delivery.tasks import deliver_messages
from uadesk.federation.tasks import federation_pull, federation_report
from uadesk.network.tasks import mailings_tick
from uadesk.petitions.tasks import petitions_housekeeping, submissions_drain
from uadesk.supporters.tasks import forget_inactive_supporters, queue_reminders
from uadesk.tasks import requeue_interrupted_tasks

# (task, seconds between runs)
SCHEDULE = [
    (close_expired_actions, 300),
    # Reminders whose time has come go into the outbox, each once.
    (queue_reminders, 300),
    # The outbox: picks up retries that are due and messages whose worker died.
    (deliver_messages, 60),
    # Letters whose email was not confirmed within APPEAL_CONFIRM_DAYS are withdrawn, the address forgotten.
    (expire_unconfirmed_appeals, 3600),
    # Mailings set for a time start; those whose every email went are marked sent.
    (mailings_tick, 60),
    # The retention rule: supporters inactive for SUPPORTER_RETENTION_MONTHS are erased.
    (forget_inactive_supporters, 24 * 3600),
    # Signing forms the per-second kick missed; then spent challenges and unconfirmed signatures.
    (submissions_drain, 30),
    (petitions_housekeeping, 3600),
    # New and changed actions of the office desks this desk subscribed to (docs/federation.md, The feed).
    (federation_pull, 300),
    # Each office desk hears what this desk's members did on its actions: counts that changed, a report
    # a day while an action is open, the final one when it closes (docs/federation.md, Reports).
    (federation_report, 900),
    # Tasks whose worker died, or whose database connection was cut, run again.
    (requeue_interrupted_tasks, 60),
]
