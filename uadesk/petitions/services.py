"""Work on petitions that spans models: taking a signing form, making it a signature, exporting."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from uadesk.delivery.tasks import runs_kick
from uadesk.formats.sheets import csv_text
from uadesk.staff import audit
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter

from .intake import GroupCommit, insert_all
from .models import Petition, Signature, SignatureExport, Submission, name_key
from .outbox import petition_email_queue

log = logging.getLogger(__name__)


class SubmissionRefused(Exception):
    """A form the desk will not take; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Signer:
    name: str
    email: str
    country: str
    consent_case_updates: bool = False
    consent_org_news: bool = False
    language: str = ""
    name_withheld: bool = False


# One writer per web process: the forms of concurrent requests share one INSERT and one commit.
_insert = insert_all(Submission, unique="nonce")
_intake = GroupCommit(_insert)


def submission_take(*, petition: Petition, signer: Signer, nonce: str, expires_at) -> Submission:
    """Takes a signing form in one INSERT, committed before this returns; the worker does the rest.
    A spent nonce is refused."""
    row = Submission(
        petition=petition,
        nonce=nonce,
        name=signer.name,
        name_withheld=signer.name_withheld,
        email_sealed=crypto.seal(signer.email.strip()),
        country=signer.country,
        consent_case_updates=signer.consent_case_updates,
        consent_org_news=signer.consent_org_news,
        language=signer.language,
        expires_at=expires_at,
    )
    # Inside a caller's transaction the row must join it, not another request's commit.
    in_transaction = transaction.get_connection().in_atomic_block
    taken = _insert([row])[0] if in_transaction else _intake.take(row)
    if not taken:
        raise SubmissionRefused("replayed")
    return row


@dataclass(frozen=True)
class Signed:
    """What became of a form, and which email tells the signer: confirm, already, household_full."""

    mail: str | None
    signature: Signature | None


def signature_make(*, petition: Petition, supporter: Supporter, signer: Signer) -> Signed:
    """The signature of this name and address: found if it exists, else made in a free household place.

    The unique constraints decide races between workers: a place taken a moment ago is tried again
    with the next one, a name signed a moment ago is found."""
    key = name_key(signer.name)
    mine = Signature.objects.filter(petition=petition, supporter=supporter)
    for _ in range(settings.PETITION_SIGNATURES_PER_EMAIL + 2):
        if existing := mine.filter(name_key=key).first():
            # Signing again can withhold the name, never show it again: anyone may type anyone's
            # name and address, and must not make a signature counted without it public.
            if signer.name_withheld and not existing.name_withheld:
                Signature.objects.filter(pk=existing.pk).update(name_withheld=True)
                existing.name_withheld = True
            return Signed("already" if existing.is_confirmed else "confirm", existing)
        taken = set(mine.values_list("household_place", flat=True))
        free = [p for p in range(1, settings.PETITION_SIGNATURES_PER_EMAIL + 1) if p not in taken]
        if not free:
            return Signed("household_full", None)
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    petition=petition, supporter=supporter, name=signer.name,
                    name_withheld=signer.name_withheld, country=signer.country,
                    consent_case_updates=signer.consent_case_updates,
                    consent_org_news=signer.consent_org_news, language=signer.language,
                    household_place=free[0],
                )  # fmt: skip
            return Signed("confirm", signature)
        except IntegrityError:
            continue
    raise RuntimeError("could not place a signature after several races")


def submissions_process(*, limit: int = 200) -> int:
    """Makes waiting forms signatures, in one transaction per batch; safe in several workers at once.

    The emails are queued in the outbox in the same transaction: they commit, or vanish, with the
    signatures they are about."""
    queued = False
    with transaction.atomic():
        batch = list(
            Submission.objects.filter(taken_at__isnull=True)
            .select_related("petition")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:limit]
        )
        for submission in batch:
            try:
                email = crypto.unseal(submission.email_sealed)
            except crypto.SealError:
                log.warning("submission %s sealed with another key: dropped", submission.pk)
                continue
            supporter = Supporter.for_email(email, language=submission.language)
            supporter.touch()
            outcome = signature_make(
                petition=submission.petition,
                supporter=supporter,
                signer=Signer(
                    name=submission.name, name_withheld=submission.name_withheld, email=email,
                    country=submission.country,
                    consent_case_updates=submission.consent_case_updates,
                    consent_org_news=submission.consent_org_news, language=submission.language,
                ),
            )  # fmt: skip
            if outcome.mail:
                queued |= petition_email_queue(
                    mail=outcome.mail, petition=submission.petition, supporter=supporter,
                    signature=outcome.signature,
                )  # fmt: skip
        # The person leaves the queue now; the nonce stays until its challenge expires.
        Submission.objects.filter(pk__in=[s.pk for s in batch]).update(
            taken_at=timezone.now(), name="", email_sealed=b""
        )
        if queued:
            transaction.on_commit(runs_kick)
    return len(batch)


def petitions_tidy(*, now=None) -> tuple[int, int]:
    """Deletes spent challenges' rows and signatures never confirmed in time (with their links)."""
    now = now or timezone.now()
    spent, _ = Submission.objects.filter(taken_at__isnull=False, expires_at__lt=now).delete()
    stale, _ = Signature.objects.unconfirmed_before(
        now - timezone.timedelta(days=settings.PETITION_CONFIRM_DAYS)
    ).delete()
    return spent, stale


EXPORT_COLUMNS = ["name", "country", "consent_case_updates", "consent_org_news", "confirmed_at"]


def signatures_export(*, petition: Petition, user, with_emails: bool) -> str:
    """The confirmed signatures as CSV, written to the audit log in the same transaction. A signature
    counted without its name is a row without name or email: the export is what goes to the petition's
    addressee and to partners, and an address names its owner as well as a name does."""
    if with_emails and not user.has_perm("petitions.export_signature_emails"):
        raise PermissionError("export_signature_emails")
    signatures = petition.signatures.confirmed().select_related("supporter").order_by("confirmed_at", "pk")
    rows = [EXPORT_COLUMNS + (["email"] if with_emails else [])]
    for signature in signatures.iterator(chunk_size=2000):
        row = [
            signature.name_shown, signature.country, int(signature.consent_case_updates),
            int(signature.consent_org_news), signature.confirmed_at.isoformat(),
        ]  # fmt: skip
        if with_emails:
            shown = signature.supporter and not signature.name_withheld
            row.append(signature.supporter.email if shown else "")
        rows.append(row)
    text = csv_text(rows)  # every cell made safe there: a name starting with = would run as a formula
    SignatureExport.objects.create(
        user=user, username=user.get_username(), petition=petition, petition_title=petition.title,
        with_emails=with_emails, rows=len(rows) - 1,
    )  # fmt: skip
    audit.log(
        "uadesk.signature.exported", user=user, obj=petition, rows=len(rows) - 1, with_emails=with_emails
    )
    return text


def supporter_data(supporter) -> dict:
    """What the petitions hold of one supporter, for their own data page and download."""
    return {
        "signatures": [
            {
                "petition": s.petition.title,
                "name": s.name,
                "name_withheld": s.name_withheld,
                "country": s.country,
                "consent_case_updates": s.consent_case_updates,
                "consent_org_news": s.consent_org_news,
                "signed_at": s.created_at,
                "confirmed_at": s.confirmed_at,
            }
            for s in Signature.objects.filter(supporter=supporter).select_related("petition")
        ]
    }


def forget_supporter(supporter) -> None:
    """Erasure: confirmed signatures stay as anonymous counts, without a name; unconfirmed ones go.
    The link to the supporter goes with their row (SET_NULL), after every holder has run: the API's
    holder finds the webhook payloads that named them through it, whichever runs first."""
    mine = Signature.objects.filter(supporter=supporter)
    mine.filter(confirmed_at__isnull=True).delete()
    mine.update(
        name="",
        name_key="",
        consent_case_updates=False,
        consent_org_news=False,
        token_hash=None,
    )
