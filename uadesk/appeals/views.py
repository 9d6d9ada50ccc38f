"""The supporter's way: compose, preview, send; then a confirmation and the next target."""

import base64
import json
import time

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from uadesk import pagecache
from uadesk.actions.models import Action, Localisation
from uadesk.database import rerun_safe
from uadesk.numbers import parse_int
from uadesk.ratelimit import allow_request
from uadesk.supporters import crypto

from .forms import ComposeForm, ReplyForm
from .models import Appeal, EmailConfirmation, Reply, written_from
from .services import AppealRefused, Writer, appeal_submit, appeals_confirm, appeals_confirmed_before


def _localisation(action, request):
    """The section version the supporter writes from, if they came from a section's page."""
    code = request.POST.get("section") or request.GET.get("section")
    if not code:
        return None
    return get_object_or_404(
        Localisation.objects.select_related("section"), action=action, section__code=code
    )


def _writer_known(request) -> bool:
    return _writer_cookie() in request.COOKIES


@rerun_safe  # appeal_submit finds the appeals of the form's key (`key`) and makes no new ones
# The first view of the form is the same for every new writer; one the desk remembers sees their own.
@pagecache.shared(query=("target", "section"), bypass=_writer_known)
def compose(request, slug):
    action = get_object_or_404(Action.objects.public(), slug=slug)
    localisation = _localisation(action, request)
    if not (localisation or action).is_open():
        page = {"action": action, "ending_outcomes": action.ending_outcomes()}
        return render(request, "appeals/closed.html", page, status=410)
    page = {
        "action": action,
        "localisation": localisation,
        "case": action.text_in(get_language(), localisation),
    }
    if request.method != "POST":
        initial = writer_remembered(request) | {"key": pagecache.one_time_key(request)}
        if target_id := request.GET.get("target", ""):
            initial["targets"] = [n] if (n := parse_int(target_id)) is not None else []
        return render(
            request,
            "appeals/compose.html",
            page | {"form": ComposeForm(action=action, localisation=localisation, initial=initial)},
        )
    form = ComposeForm(request.POST, action=action, localisation=localisation)
    step = request.POST.get("step", "preview")
    if step == "restart" and request.POST.get("language") in form.letters:
        # "Use the model letter in this language": the letter starts again from that model.
        data = request.POST.copy()
        data["body"] = form.model_body(request.POST["language"])
        form = ComposeForm(data, action=action, localisation=localisation)
        return render(request, "appeals/compose.html", page | {"form": form, "restarted": True})
    if not form.is_valid():
        return render(request, "appeals/compose.html", page | {"form": form}, status=400)
    if step == "edit":
        return render(request, "appeals/compose.html", page | {"form": form})
    targets = list(form.cleaned_data["targets"])
    letters = {target.pk: form.letter_for(target) for target in targets}
    if step != "send":
        labels = dict(Appeal.Channel.choices)
        channels = {t.pk: form.channel_for(t) for t in targets}
        previews = [(t, letters[t.pk], labels[channels[t.pk]], channels[t.pk]) for t in targets]
        # A letter the supporter prints has no subject and is not sent by the desk.
        all_post = set(channels.values()) == {Appeal.Channel.POST}
        context = {"form": form, "previews": previews, "all_post": all_post}
        return render(request, "appeals/preview.html", page | context)
    data = form.cleaned_data
    if not allow_request(
        request,
        "appeals",
        per_address=settings.APPEAL_RATE_PER_ADDRESS,
        per_network=settings.APPEAL_RATE_PER_NETWORK,
    ):
        form.add_error(
            None, _("Many letters were sent from your connection in the last hour. Please try again later.")
        )
        return render(request, "appeals/compose.html", page | {"form": form}, status=429)
    try:
        appeal_submit(
            action=action,
            targets=targets,
            channels=data["channels"],
            language="" if data["language"] == "own" else data["language"],
            subject=form.email_subject(),
            letters=letters,
            writer=Writer(
                name=data["name"],
                town=data["town"],
                country=data["country"],
                email=data["email"],
                wants_updates=data["wants_updates"],
                signed_as=data["signed_as"],
                sender_blank=data["sender_blank"],
            ),  # fmt: skip
            key=data["key"],
            localisation=localisation,
        )
    except AppealRefused as refusal:
        form.add_error(None, str(refusal))
        return render(request, "appeals/compose.html", page | {"form": form}, status=400)
    response = redirect(reverse("appeals:sent", kwargs={"slug": slug, "key": data["key"]}))
    writer_remember(response, data)
    return response


# "Write to the next person" opens the form with who signed the last letter already filled in: kept
# in the supporter's own browser, sealed with the desk's key (nobody reads or changes it there), for an
# hour. A cookie rather than the session: the server keeps nothing, and no write follows the view, where
# a lost database connection could no longer run it again.
WRITER_SECONDS = 3600


def _writer_cookie() -> str:
    return "__Host-uadesk-writer" if settings.PRODUCTION else "uadesk-writer"


# How the last letter was signed is kept with it: the next letter of a writer at risk is signed alike.
WRITER_FIELDS = ("name", "town", "country", "email", "signed_as")


def writer_remember(response, data) -> None:
    writer = {key: data[key] for key in WRITER_FIELDS} | {
        "sender_blank": bool(data["sender_blank"]),
        "until": time.time() + WRITER_SECONDS,
    }
    sealed = base64.urlsafe_b64encode(crypto.seal(json.dumps(writer))).decode()
    response.set_cookie(
        _writer_cookie(), sealed, max_age=WRITER_SECONDS, path="/", httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip


def writer_remembered(request) -> dict:
    try:
        writer = json.loads(crypto.unseal(base64.urlsafe_b64decode(request.COOKIES[_writer_cookie()])))
    except (KeyError, ValueError, crypto.SealError):  # none, or not one the desk sealed
        return {}
    if not isinstance(writer, dict) or not isinstance(writer.get("until"), int | float):
        return {}
    if writer["until"] < time.time():
        return {}
    # A cookie from before a field was kept lacks it: the form's own initial value stands.
    return {key: str(writer[key]) for key in WRITER_FIELDS if writer.get(key)} | {
        "sender_blank": writer.get("sender_blank") is True
    }


def _appeals_of(slug, key) -> list[Appeal]:
    appeals = list(
        Appeal.objects.filter(action__slug=slug, submission=key)
        .select_related("target", "action", "localisation__section")
        .order_by("target__position")
    )
    if not appeals:
        raise Http404
    return appeals


def sent(request, slug, key):
    """What happened to each letter, what the supporter still has to send themselves, and who to write
    to next."""
    appeals = _appeals_of(slug, key)
    action = appeals[0].action
    written = {a.target_id for a in appeals}
    localisation = written_from(appeals)
    # The same words whoever's address it is: the page never tells whether it is known.
    unconfirmed = EmailConfirmation.objects.waiting().filter(submission=key).exists()
    return render(
        request,
        "appeals/sent.html",
        {
            "action": action,
            "appeals": appeals,
            "localisation": localisation,
            "to_send": sum(a.status == Appeal.Status.AWAITING_SUPPORTER for a in appeals),
            # Officials no channel reaches from this desk are not on the form: no link to write to them.
            "next_targets": [
                t for t in action.targets_for(localisation) if t.pk not in written and t.channels_offered()
            ],
            "key": key,
            "replied": request.GET.get("replied") == "1",
            "unconfirmed": unconfirmed,
            "waiting_for_email": any(a.status == Appeal.Status.UNCONFIRMED for a in appeals),
            # While something may change by itself, the page's script asks for the statuses again.
            "status_url": reverse("appeals:status", kwargs={"slug": slug, "key": key})
            if unconfirmed or any(a.is_on_its_way() for a in appeals)
            else "",
        },
    )


def status(request, slug, key):
    """The sent page's statuses, for its script (static/appeals/status.js) to show them change without
    a reload: the same words as the page, and whether any letter is still on its way."""
    appeals = _appeals_of(slug, key)
    return JsonResponse(
        {
            "appeals": [
                {
                    "target": a.target_id,
                    "status": a.status,
                    "html": render_to_string("appeals/_status.html", {"appeal": a}, request).strip(),
                }
                for a in appeals
            ],
            "unconfirmed": EmailConfirmation.objects.waiting().filter(submission=key).exists(),
            "on_its_way": any(a.is_on_its_way() for a in appeals),
        }
    )


# The link's token is the secret; a cross-site form cannot know it, so CSRF adds nothing here.
@csrf_exempt
@rerun_safe  # a second run finds the link spent by the first and shows what it confirmed
def confirm_email(request, token):
    """GET shows a button, POST confirms: mail scanners that open links must not confirm for anyone.
    A link already used shows its letters as they stand."""
    if request.method != "POST":
        return render(request, "appeals/confirm_email.html", {"token": token})
    confirmed = appeals_confirm(token) or appeals_confirmed_before(token)
    if confirmed is None:
        return render(request, "appeals/confirm_email_failed.html", status=410)
    first = confirmed.appeals[0] if confirmed.appeals else None
    return render(
        request,
        "appeals/confirmed.html",
        {
            "confirmed": confirmed,
            "action": first.action if first else None,
            "over_limit_names": ", ".join(a.target.display_name for a in confirmed.over_limit),
            "sent_url": reverse("appeals:sent", kwargs={"slug": first.action.slug, "key": first.submission})
            if first
            else "",
        },
    )


@require_POST
def confirm(request, slug, key):
    """The supporter says they sent the email from their own app, or posted the letter: to the official
    the button names (`target`), or, without one, to each."""
    target = request.POST.get("target")
    for appeal in _appeals_of(slug, key):
        if target is None or parse_int(target) == appeal.target_id:
            appeal.confirm_sent_by_supporter()
    return redirect(reverse("appeals:sent", kwargs={"slug": slug, "key": key}))


def letter_pdf(request, slug, key, target_id):
    """The printable letter with its envelope page, for one target."""
    appeal = next((a for a in _appeals_of(slug, key) if a.target_id == target_id), None)
    if appeal is None or not appeal.is_printable():
        raise Http404
    from .printing import appeal_pdf

    paper = "Letter" if request.GET.get("paper") == "Letter" else "A4"
    envelope = (
        request.GET.get("envelope", "DL") if request.GET.get("envelope") in ("DL", "C5", "label") else "DL"
    )
    response = HttpResponse(
        appeal_pdf(appeal, paper=paper, envelope=envelope), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="letter-{appeal.target.pk}-{paper}-{envelope}.pdf"'
    )
    return response


def reply(request, slug, key, target_id):
    """The supporter tells us the target answered their letter."""
    appeal = next((a for a in _appeals_of(slug, key) if a.target_id == target_id), None)
    if appeal is None or not appeal.is_counted():
        raise Http404
    form, status = ReplyForm(), 200
    if request.method == "POST":
        # A reply may carry a document to read: the limit bounds how many one connection makes the desk
        # read in an hour. A refused reply's document is never read; what they typed stays in the form.
        if allow_request(
            request,
            "replies",
            per_address=settings.REPLY_RATE_PER_ADDRESS,
            per_network=settings.REPLY_RATE_PER_NETWORK,
        ):
            files = request.FILES  # reading the upload first sets upload_too_large, if it was
            form = ReplyForm(request.POST, files, too_large=bool(getattr(request, "upload_too_large", None)))
        else:
            refusal = _("Many replies were sent from your connection in the last hour. Try again later.")
            form, status = ReplyForm(request.POST, refusal=refusal), 429
        if form.is_valid():
            Reply.objects.create(
                appeal=appeal, text=form.cleaned_data["text"], received_on=form.cleaned_data["received_on"]
            )
            return redirect(reverse("appeals:sent", kwargs={"slug": slug, "key": key}) + "?replied=1")
    context = {"appeal": appeal, "action": appeal.action, "form": form}
    return render(request, "appeals/reply.html", context, status=status)
