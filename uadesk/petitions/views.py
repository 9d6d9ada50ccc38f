"""Public pages of a petition: sign, thanks, confirm; the embeddable widget and the count as JSON."""

import datetime
import functools
import time

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt

from uadesk import pagecache
from uadesk.database import rerun_safe
from uadesk.languages import for_every_reader
from uadesk.numbers import parse_int
from uadesk.ratelimit import allow_request

from . import pow
from .forms import SignForm
from .models import Petition, Signature
from .services import Signer, SubmissionRefused, submission_take
from .tasks import submissions_kick

CHALLENGE_ERRORS = {
    "expired": gettext_lazy("This form was open too long. Please check your details and send it again."),
    "replayed": gettext_lazy("This form was already sent. Please check your details and send it again."),
}


def _petition(slug: str) -> Petition:
    return get_object_or_404(Petition.objects.public().select_related("action", "campaign"), slug=slug)


_recent: dict[str, tuple[float, Petition]] = {}


def _petition_for_signing(slug: str) -> Petition:
    """The petition, read at most once a second per process: at a thousand signatures a second, the
    same row need not be read a thousand times. Closing it takes effect within that second."""
    now = time.monotonic()
    if (cached := _recent.get(slug)) and now - cached[0] < 1.0:
        return cached[1]
    petition = _petition(slug)
    _recent[slug] = (now, petition)
    return petition


@functools.lru_cache(maxsize=1024)
def _thanks_path(slug: str, language: str, script_prefix: str) -> str:
    """Where every signer goes next; building a URL is a tenth of a signature's work, so it is kept
    for each petition, language and prefix (the path depends on nothing else)."""
    return reverse("petitions:thanks", kwargs={"slug": slug})


def _page(request, petition, form, *, status=200):
    if not form.is_bound or form.errors:
        # A fresh challenge every time the form is shown: each is spent once.
        challenge = pow.challenge_make(scope=f"petition-{petition.pk}")
        if form.is_bound:
            # What was typed stays, and so do the errors; only the challenge is new.
            form.data = form.data.copy()
            form.data["challenge"], form.data["work"] = challenge.token, ""
        else:
            form = SignForm(initial={"challenge": challenge.token})
    count = petition.count()
    context = {
        "petition": petition, "form": form.with_choices(), "count": count,
        "progress": petition.progress(count), "is_open": petition.is_open(),
    }  # fmt: skip
    return render(request, "petitions/sign.html", context, status=status)


# No CSRF cookie: the signed, single-use challenge is this form's token, and the form also works
# from a page whose cookies the browser keeps apart. Signing changes nothing until the emailed link.
@csrf_exempt
@rerun_safe  # its one write is keyed by the challenge's nonce: a second run adds nothing
def sign(request, slug):
    if request.method != "POST":
        return _page(request, _petition(slug), SignForm())
    if getattr(request, "_signing_taken", False):
        # Run again after its connection was lost: the first run's form is committed, so this answer
        # is the first run's, not "already sent" for the nonce it spent itself.
        return HttpResponseRedirect(_thanks_path(slug, get_language(), get_script_prefix()))
    petition = _petition_for_signing(slug)
    if not petition.is_open():
        return render(request, "petitions/closed.html", {"petition": petition}, status=410)
    form = SignForm(request.POST)
    if form.is_bot():
        # A bot learns nothing from the answer: it looks like success, and nothing is kept.
        return HttpResponseRedirect(_thanks_path(slug, get_language(), get_script_prefix()))
    if not form.is_valid():
        return _page(request, petition, form, status=400)
    data = form.cleaned_data
    work = data["work"]
    if work and parse_int(work, max_digits=12) is None:
        work = "-"  # "²" passes str.isdigit() but not int(): whatever is not a number is a wrong answer
    try:
        checked = pow.challenge_check(data["challenge"], work, scope=f"petition-{petition.pk}")
    except pow.ChallengeError as error:
        form.add_error(
            None, CHALLENGE_ERRORS.get(error.code, _("The form could not be checked. Please try again."))
        )
        return _page(request, petition, form, status=400)
    # Without the proof of work (no JavaScript) the form still works, under a stricter limit.
    solved = checked.solved
    if not allow_request(
        request,
        "petitions" if solved else "petitions-nojs",
        per_address=settings.PETITION_RATE_PER_ADDRESS if solved else settings.PETITION_NOJS_RATE_PER_ADDRESS,
        per_network=settings.PETITION_RATE_PER_NETWORK if solved else settings.PETITION_NOJS_RATE_PER_NETWORK,
    ):
        form.add_error(
            None, _("Many signatures came from your connection in the last hour. Please try again later.")
        )
        return _page(request, petition, form, status=429)
    signer = Signer(
        name=data["name"], name_withheld=data["name_withheld"], email=data["email"], country=data["country"],
        consent_case_updates=data["consent_case_updates"], consent_org_news=data["consent_org_news"],
        language=get_language() or "",
    )  # fmt: skip
    expires_at = datetime.datetime.fromtimestamp(checked.expires, tz=datetime.UTC)
    try:
        submission_take(petition=petition, signer=signer, nonce=checked.nonce, expires_at=expires_at)
    except SubmissionRefused as refusal:
        form.add_error(None, CHALLENGE_ERRORS[refusal.code])
        return _page(request, petition, form, status=400)
    request._signing_taken = True
    submissions_kick()
    return HttpResponseRedirect(_thanks_path(slug, get_language(), get_script_prefix()))


def _next_steps(request, petition) -> dict:
    """What a signer is offered next: the petition's link to pass on, and a letter to write."""
    base = settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
    return {
        "petition": petition,
        # Without a language: the link opens in the language of whoever it is passed to.
        "share_url": base + for_every_reader(petition.get_absolute_url()),
        "actions_to_write_for": petition.actions_to_write_for(),
    }


def thanks(request, slug):
    """The same page for everyone who sent the form: it never tells whether an address signed before."""
    return render(request, "petitions/thanks.html", _next_steps(request, _petition(slug)))


# The link's token is the secret; a cross-site form cannot know it, so CSRF adds nothing here.
@csrf_exempt
def confirm(request, token):
    """GET shows a button, POST confirms: mail scanners that open links must not sign for anyone."""
    if request.method != "POST":
        if (signature := Signature.for_link(token)) is None:
            return render(request, "petitions/confirm_failed.html", status=410)
        return render(request, "petitions/confirm.html", {"token": token, "petition": signature.petition})
    signature = Signature.confirm(token, timezone.now())
    if signature is None:
        return render(request, "petitions/confirm_failed.html", status=410)
    if signature.supporter_id:
        signature.supporter.touch()
    return render(
        request,
        "petitions/confirmed.html",
        _next_steps(request, signature.petition) | {"signature": signature},
    )


# Any site may frame the widget: it shows public figures and a link, and takes no input.
@xframe_options_exempt
@csp_override({**getattr(settings, "SECURE_CSP", {}), "frame-ancestors": ["*"]})
def widget(request, slug):
    """The count and a link to sign, for an organisation's own site to frame."""
    petition = _petition(slug)
    count = petition.count()
    response = render(
        request,
        "petitions/widget.html",
        {
            "petition": petition,
            "count": count,
            "progress": petition.progress(count),
            "is_open": petition.is_open(),
        },
    )
    return response


@pagecache.shared()
def count(request, slug):
    petition = _petition(slug)
    number = petition.count()
    response = JsonResponse(
        {"petition": petition.slug, "count": number, "goal": petition.goal, "open": petition.is_open()}
    )
    # Public figures only: any site may read them, and a cache may keep them as long as we do.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={settings.PETITION_COUNT_SECONDS}"
    return response
