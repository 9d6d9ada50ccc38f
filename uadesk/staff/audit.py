"""The desk's one audit log, written from any app: audit.log("uadesk.appeal.requeued", user=..., count=3)."""

from django.db import models

from .models import AuditEntry

Via = AuditEntry.Via

# Who did it, when no staff member or token did.
ACTORS = {Via.COMMAND: "command line", Via.SYSTEM: "system"}


def log(
    code: str,
    *,
    user=None,
    actor: str = "",
    via: str = Via.DESK,
    obj: models.Model | type[models.Model] | None = None,
    **detail,
) -> AuditEntry:
    """Writes one entry, in the caller's transaction: what its work rolls back, the log forgets too.

    - `code`: "uadesk.<noun>.<verb>", lowercase and dotted; anything else is a ValueError.
    - `user`: the staff member who did it; `actor`: the label of whoever else did (an API token);
      the command line and the system name themselves.
    - `obj`: the record it was about (kept as its model label and id, never its text), or a model
      for work on many rows at once.
    - `detail`: counts, field names, paths, notes written by the desk's code, JSON-ready. Never a
      supporter's name or address: the log outlives erasure and is read by all administrators.
    """
    if not AuditEntry.is_code(code):
        raise ValueError(f"the audit code {code!r} is not uadesk.<noun>.<verb>, lowercase and dotted")
    via = Via(via)
    if getattr(user, "pk", None) is None:
        user = None  # nobody signed in, or an account not saved
    actor = actor or (user.get_username() if user else ACTORS.get(via, ""))
    if not actor:
        raise ValueError(f"{code}: who did it? Give user= or actor=")
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = "" if isinstance(obj, type) or obj.pk is None else str(obj.pk)
    return AuditEntry.objects.create(
        code=code, user=user, actor=actor[:200], via=via, object_type=object_type, object_id=object_id[:64],
        detail=detail,
    )  # fmt: skip
