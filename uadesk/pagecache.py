"""The public pages a mailing's surge lands on, kept rendered in the shared cache for every web process.

A page is kept per address (language prefix, section, the few query parameters it reads), per local day
(an action opens and closes with the date) and per *generation*: one value in the cache that any saved
change to what those pages show replaces, when its transaction commits, so the next view renders afresh
on every web machine (`pages_changed`). Each entry also lives at most PAGE_CACHE_SECONDS, which bounds
how old the counts on a page can be.

Nothing personal is kept: only visitors who are not signed in are served from the cache (staff preview
drafts), a page that reads the supporter's own cookie is not cached for them (`bypass`), and the CSRF
token, which differs per visitor, is rendered as a slot and filled in for each response.
"""

import functools
import hashlib
import secrets
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test.signals import setting_changed
from django.utils import timezone
from django.utils.translation import get_language

from uadesk import webfonts

GENERATION = "pages:generation"
# What `{% csrf_token %}` renders on a page being kept (see `csrf_slot`), replaced per response.
SLOT = "uadesk-csrf-slot"
# Where a kept form's one-time key goes (`one_time_key`), a new one in each response: two writers given
# the same key would send one letter between them (the desk takes a key sent again as the same form).
KEY_SLOT = "uadesk-key-slot"
# Models whose rows supporters write in a surge (signatures, reminders, who stopped a case's news): a
# change to them must not empty the cache. What a page shows of them (a count) is at most
# PAGE_CACHE_SECONDS old.
SUPPORTERS_ROWS = {
    "actions.reminder",
    "actions.casenewsstop",
    "actions.outcomenotice",
    "petitions.signature",
    "petitions.submission",
    "petitions.signatureexport",
}


def pages_changed(**_) -> None:
    """Every kept page is stale from now: the next view renders afresh."""
    _new_generation()
    # Once more when the transaction commits: a view that read the old rows meanwhile may have kept its
    # page under the generation set just now.
    transaction.on_commit(_new_generation)


def _new_generation() -> str:
    generation = secrets.token_hex(8)
    cache.set(GENERATION, generation, None)
    return generation


def _generation(found: dict) -> str:
    if generation := found.get(GENERATION):
        return generation
    # None yet, or the cache let it go: pages kept before are unknown, so start a new one. add() keeps
    # the first of several web processes' values, which all then read.
    cache.add(GENERATION, secrets.token_hex(8), None)
    return cache.get(GENERATION)


def watch_changes() -> None:
    """Connects `pages_changed` to every model the public pages show (AppConfig.ready)."""
    for label in ("actions", "petitions"):
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label_lower
            if name not in SUPPORTERS_ROWS:
                post_save.connect(pages_changed, sender=model, dispatch_uid=f"pages:{name}")
                post_delete.connect(pages_changed, sender=model, dispatch_uid=f"pages:{name}:deleted")
    m2m_changed.connect(_m2m_changed, dispatch_uid="pages:m2m")
    # Settings change at a restart, when the pages kept live PAGE_CACHE_SECONDS more; a test changes them
    # in the middle of a run (FAX_GATEWAY_DOMAIN, say, decides what a page offers), in this process only
    # and maybe with no database to write the cache to: the pages it keeps are then under other keys.
    setting_changed.connect(_settings_changed, dispatch_uid="pages:settings")


_settings_version = 0


def _settings_changed(**_) -> None:
    global _settings_version
    _settings_version += 1


def _m2m_changed(sender, instance, **_) -> None:
    if instance._meta.app_label in ("actions", "petitions"):
        pages_changed()


def csrf_slot(request) -> dict:
    """Context processor: on a page being kept, `{% csrf_token %}` renders the slot, not this visitor's
    token. It comes after Django's own csrf processor, so its value wins there and only there."""
    return {"csrf_token": SLOT} if getattr(request, "page_kept", False) else {}


def one_time_key(request):
    """A new form key (a UUID): on a page being kept, its slot, filled in for each response."""
    return KEY_SLOT if getattr(request, "page_kept", False) else uuid.uuid4()


def _key(request) -> str:
    address = f"{request.get_full_path()}|{get_language()}|{timezone.localdate()}|{_settings_version}"
    return "pages:" + hashlib.sha256(address.encode()).hexdigest()


def shared(*, query: tuple[str, ...] = (), bypass=None):
    """Keeps the view's GET answers in the shared cache. `query` names the parameters the view reads
    (an address with any other is answered afresh, so nobody fills the cache with made-up addresses);
    `bypass(request)` is true when the answer holds something of this visitor's own."""

    def decorate(view):
        @functools.wraps(view)
        def kept(request, *args, **kwargs):
            lifetime = settings.PAGE_CACHE_SECONDS
            if (
                lifetime <= 0
                or request.method not in ("GET", "HEAD")
                or any(name not in query for name in request.GET)
                or request.user.is_authenticated
                or (bypass is not None and bypass(request))
            ):
                return view(request, *args, **kwargs)
            key = _key(request)
            found = cache.get_many([GENERATION, key])
            generation = _generation(found)
            entry = found.get(key)
            if entry is not None and entry[0] == generation:
                return _answer(request, entry)
            request.page_kept = True
            try:
                response = view(request, *args, **kwargs)
            finally:  # an error page is rendered with the visitor's own token
                request.page_kept = False
            if response.status_code != 200 or response.streaming or response.cookies:
                return _filled(request, response)
            # The headers the view set (its type, a public count's Cache-Control); the middleware add theirs
            # to each answer.
            headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
            entry = (generation, headers, _with_faces(response))
            cache.set(key, entry, lifetime)
            return _answer(request, entry)

        return kept

    return decorate


def _with_faces(response: HttpResponse) -> str:
    """The page's text with the link to the faces its scripts need, so a kept page is read for its
    characters once, not at every view (WebFontMiddleware then leaves it)."""
    text = response.content.decode(response.charset)
    if response["Content-Type"].startswith("text/html"):
        text = webfonts.with_faces(text)
    return text


def _answer(request, entry) -> HttpResponse:
    _, headers, text = entry
    response = HttpResponse(_filled_in(request, text), headers=headers)
    response.faces_linked = True
    return response


def _filled(request, response: HttpResponse) -> HttpResponse:
    """A page rendered for the cache but not kept (an error, a cookie): its slot filled all the same."""
    if not response.streaming:
        response.content = _filled_in(request, response.content.decode(response.charset))
    return response


def _filled_in(request, text: str) -> str:
    """The page with this visitor's CSRF token and a new key for each form in their slots."""
    if SLOT in text:
        # get_token also has CsrfViewMiddleware send this visitor's token cookie, as rendering it would.
        text = text.replace(SLOT, get_token(request))
    while KEY_SLOT in text:
        text = text.replace(KEY_SLOT, str(uuid.uuid4()), 1)
    return text
