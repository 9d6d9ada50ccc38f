"""The demo action that `make run` puts online: the seed Urgent Action of this repository, ingested."""

import datetime
from pathlib import Path

from django.utils.translation import gettext as _

from uadesk.actions.models import Action, local_today

from .services import action_ingest

SEED = Path(__file__).parent / "demo" / "xinjiang-2022.txt"
DEMO_OPEN_DAYS = 30


def demo_load(*, reopen: bool = True) -> tuple[Action, bool]:
    """Ingests the seed UA once and publishes it; returns the action and whether it was created now.

    The seed's own deadline (23 September 2022) has passed, so by default the demo
    extends it, with that reason shown on the page, so the desk can be tried out.
    """
    result = action_ingest(text=SEED.read_text(encoding="utf-8"), as_new=True)
    action = result.action
    if not result.created:
        return action, False
    today = local_today()
    if action.deadline >= today:
        action.publish()
    elif reopen:
        action.deadline_extended_to = today + datetime.timedelta(days=DEMO_OPEN_DAYS)
        action.deadline_extension_reason = _(
            "Demo desk: the Urgent Action's own deadline has passed; it is reopened so the desk can be tried."
        )
        action.publish()
    else:
        # As the document stands: past its deadline it shows as closed.
        action.close()
    return action, True
