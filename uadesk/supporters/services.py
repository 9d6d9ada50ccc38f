"""Work on a supporter's data across apps: export, erasure, retention; each app's part through its holder."""

import datetime
import logging
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Erasure, Supporter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """An app that keeps personal data of supporters, through the two functions of its services module:

    - `supporter_data(supporter) -> dict`: everything it holds about them, JSON-ready (datetimes are
      fine), with stable keys: the export prints them as they are and the data page in plain words.
    - `forget_supporter(supporter) -> None`: blank their personal data (names, towns, addresses, the
      link to the supporter) but keep the anonymous rows, so counts stay. It runs inside the
      erasing transaction, just before the supporter row is deleted.
    """

    label: str
    name: str
    module: ModuleType

    def supporter_data(self, supporter: Supporter) -> dict:
        return self.module.supporter_data(supporter)

    def forget_supporter(self, supporter: Supporter) -> None:
        self.module.forget_supporter(supporter)


def holders() -> list[Holder]:
    """The apps of SUPPORTER_DATA_HOLDERS that are ready: a module missing, or lacking the two
    functions, is skipped with a warning (petitions and appeals provide them as they land)."""
    found = []
    for path in settings.SUPPORTER_DATA_HOLDERS:
        try:
            module = import_module(path)
        except ModuleNotFoundError as error:
            if error.name is None or not (path == error.name or path.startswith(f"{error.name}.")):
                raise  # the module exists but one of its own imports is broken: that must show
            log.warning("supporter data holder %s does not exist yet; skipped", path)
            continue
        if not (
            callable(getattr(module, "supporter_data", None))
            and callable(getattr(module, "forget_supporter", None))
        ):
            log.warning(
                "supporter data holder %s lacks supporter_data() or forget_supporter(); skipped",
                path,
            )
            continue
        app = apps.get_containing_app_config(path)
        label, name = (app.label, str(app.verbose_name)) if app else (path, path)
        found.append(Holder(label=label, name=name, module=module))
    return found


def held_data(supporter: Supporter) -> list[tuple[Holder, dict]]:
    """What each app holds about the supporter."""
    return [(holder, holder.supporter_data(supporter)) for holder in holders()]


def export(supporter: Supporter) -> dict:
    """Everything the desk holds about the supporter: their own row, then each app's part by its label."""
    return {"supporter": supporter.own_data()} | {holder.label: data for holder, data in held_data(supporter)}


def erase(supporter: Supporter, *, by: str) -> bool:
    """Every app forgets the supporter, then their row goes: all of it or nothing, in one transaction.

    `by` says who asked, for the count of erasures ("supporter", "retention", "command",
    "staff:<username>"). False if they were already gone.
    """
    return _erase(Supporter.objects.filter(pk=supporter.pk), by=by)


def _erase(rows, *, by: str) -> bool:
    with transaction.atomic():
        # Locked first, so an erasure running twice at once (a double click, staff and the
        # retention task together) forgets and counts once, and the row's state is current.
        supporter = rows.select_for_update().first()
        if supporter is None:
            return False
        for holder in holders():
            holder.forget_supporter(supporter)
        Supporter.objects.filter(pk=supporter.pk).delete()
        Erasure.record(by=by)
    log.info("supporter #%s erased by %s", supporter.pk, by)
    return True


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` earlier; the 31st becomes the month's last day."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def supporters_forget_inactive(*, now: datetime.datetime | None = None) -> int:
    """Erases every supporter inactive for SUPPORTER_RETENTION_MONTHS (0: keep them); counts stay."""
    months = settings.SUPPORTER_RETENTION_MONTHS
    if months <= 0:
        return 0
    cutoff = months_before(now or timezone.now(), months)
    erased = 0
    # One transaction each: a long run holds no lock for long, and one failing holder stops only
    # that supporter's erasure (it is tried again the next day).
    for pk in list(Supporter.objects.filter(last_active_at__lt=cutoff).values_list("pk", flat=True)):
        try:
            # Checked again under the lock: someone who acted since the list was read stays.
            erased += _erase(Supporter.objects.filter(pk=pk, last_active_at__lt=cutoff), by="retention")
        except Exception:
            log.exception("supporter #%s could not be erased; tried again on the next run", pk)
    return erased
