"""Work on a supporter's data across apps: export, erasure, retention; each app's part through its holder."""

import datetime
import logging
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import transaction
from django.utils import timezone

from uadesk.delivery.models import Message

from . import news
from .models import Erasure, Supporter

log = logging.getLogger(__name__)


HOLDER_FUNCTIONS = ("supporter_data", "forget_supporter")


class HolderMissing(Exception):
    """A module of SUPPORTER_DATA_HOLDERS that is not there, or lacks one of HOLDER_FUNCTIONS."""


@dataclass(frozen=True)
class Holder:
    """An app that keeps personal data of supporters, through the two functions of its services module:

    - `supporter_data(supporter) -> dict`: everything it holds about them, JSON-ready (datetimes are
      fine), with stable keys: the export prints them as they are and the data page in plain words.
    - `forget_supporter(supporter) -> None`: blank their personal data (names, towns, addresses) but
      keep the anonymous rows, so counts stay. It runs inside the erasing transaction, just before the
      supporter row is deleted; links to that row (SET_NULL) go with it, so that every holder, in any
      order, still finds the rows that are the supporter's (another app's may name them).
    """

    label: str
    name: str
    module: ModuleType

    def supporter_data(self, supporter: Supporter) -> dict:
        return self.module.supporter_data(supporter)

    def forget_supporter(self, supporter: Supporter) -> None:
        self.module.forget_supporter(supporter)


def _holder_module(path: str) -> ModuleType:
    """The holder module at `path`, or HolderMissing saying in one line why it cannot be one."""
    try:
        module = import_module(path)
    except ImportError as error:
        raise HolderMissing(f"{path} cannot be imported: {error}") from error
    lacking = [name for name in HOLDER_FUNCTIONS if not callable(getattr(module, name, None))]
    if lacking:
        raise HolderMissing(f"{path} has no {' or '.join(f'{name}()' for name in lacking)}")
    return module


def holders() -> list[Holder]:
    """The apps of SUPPORTER_DATA_HOLDERS, every one: the system check (check_holders) has refused to
    start a desk where one is missing, so a module that is not there now is an error, never skipped."""
    found = []
    for path in settings.SUPPORTER_DATA_HOLDERS:
        module = _holder_module(path)
        app = apps.get_containing_app_config(path)
        label, name = (app.label, str(app.verbose_name)) if app else (path, path)
        found.append(Holder(label=label, name=name, module=module))
    return found


def check_holders(app_configs=None, **kwargs) -> list[checks.Error]:
    """System check (uadesk.E001): SUPPORTER_DATA_HOLDERS names every place a supporter's data can be.

    Each listed module must import and have supporter_data() and forget_supporter(); and every app with
    a model that points to a supporter must have its services module listed, so that an app added
    later, which stores supporters' data, cannot be forgotten by erasure or left out of the export."""
    listed = getattr(settings, "SUPPORTER_DATA_HOLDERS", None)
    if not isinstance(listed, list | tuple) or not all(isinstance(path, str) for path in listed):
        return [
            checks.Error(
                "SUPPORTER_DATA_HOLDERS must be a list of the modules that hold supporters' data.",
                id="uadesk.E001",
            )
        ]
    errors = []
    for path in listed:
        try:
            _holder_module(path)
        except HolderMissing as missing:
            errors.append(
                checks.Error(
                    f"The supporter data holder {missing}.",
                    hint="Each module of SUPPORTER_DATA_HOLDERS needs supporter_data(supporter) and "
                    "forget_supporter(supporter).",
                    id="uadesk.E001",
                )
            )
    for app, models in _apps_pointing_to_supporters().items():
        if f"{app.name}.services" not in listed:
            errors.append(
                checks.Error(
                    f"{', '.join(models)} point to supporters, but {app.name}.services is not in "
                    "SUPPORTER_DATA_HOLDERS: erasure would not reach them.",
                    hint=f"Give {app.name}.services supporter_data(supporter) and "
                    "forget_supporter(supporter), and list it.",
                    id="uadesk.E001",
                )
            )
    return errors


def _apps_pointing_to_supporters() -> dict:
    """Each app (but this one, whose erase() deletes the supporter) with the models that have a foreign
    key, one-to-one or many-to-many field to Supporter."""
    found = {}
    for model in apps.get_models():
        app = model._meta.app_config
        if app.label == Supporter._meta.app_label:
            continue
        fields = [*model._meta.fields, *model._meta.many_to_many]
        if any(field.remote_field and field.remote_field.model is Supporter for field in fields):
            found.setdefault(app, []).append(model._meta.label)
    return found


def held_data(supporter: Supporter) -> list[tuple[Holder, dict]]:
    """What each app holds about the supporter."""
    return [(holder, holder.supporter_data(supporter)) for holder in holders()]


def export(supporter: Supporter) -> dict:
    """Everything the desk holds about the supporter: their own row, then each app's part by its label."""
    agreed = [
        {"email": a.what, "action": a.action.title, "stopped": a.stopped} for a in news.agreements(supporter)
    ]
    return {"supporter": supporter.own_data() | {"emails_agreed": agreed}} | {
        holder.label: data for holder, data in held_data(supporter)
    }


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
        data_links_forget(supporter)
        Supporter.objects.filter(pk=supporter.pk).delete()
        Erasure.record(by=by)
    log.info("supporter #%s erased by %s", supporter.pk, by)
    return True


def data_links_forget(supporter: Supporter) -> None:
    """Links to their data asked for by their address: those waiting go, and none keeps its hash."""
    links = Message.objects.filter(kind=Message.Kind.DATA_LINK, params__email_hash=supporter.email_hash)
    links.cancel()
    links.update(params={})


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
