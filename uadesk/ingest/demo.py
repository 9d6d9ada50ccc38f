"""The demo action that `make run` puts online: the seed Urgent Action of this repository."""

import datetime
import hashlib
import json
from pathlib import Path

from django.utils.translation import gettext as _

from uadesk.actions.models import Action, local_today
from uadesk.actions.services import action_create_from_document

DEMO_DIR = Path(__file__).parent / "demo"
SEED = DEMO_DIR / "xinjiang-2022.txt"
DEMO_OPEN_DAYS = 30


def demo_load(*, reopen: bool = True) -> tuple[Action, bool]:
    """Loads the seed UA once and publishes it; returns the action and whether it was created now.

    The seed's own deadline (23 September 2022) has passed, so by default the demo
    extends it, with that reason shown on the page, so the desk can be tried out.
    """
    text = SEED.read_text(encoding="utf-8")
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    existing = Action.objects.filter(source_sha256=sha256).first()
    if existing:
        return existing, False
    document = json.loads((DEMO_DIR / "xinjiang-2022.json").read_text(encoding="utf-8"))
    action = action_create_from_document(document=document, source_text=text, source_sha256=sha256)
    today = local_today()
    if reopen and action.deadline < today:
        action.deadline_extended_to = today + datetime.timedelta(days=DEMO_OPEN_DAYS)
        action.deadline_extension_reason = _(
            "Demo desk: the Urgent Action's own deadline has passed; it is reopened so the desk can be tried."
        )
        action.status = Action.Status.PUBLISHED
        action.publish()
    else:
        # As the document stands: past its deadline it shows as closed.
        if action.deadline >= today:
            action.publish()
        else:
            action.close()
    return action, True
