"""The public pages a surge lands on are kept rendered for everyone (uadesk/pagecache.py): a change by
staff shows at the next view, and nothing of one visitor's own reaches another."""

import datetime
import json
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.appeals.test_compose import OPEN_DAY, compose_url, form_data
from tests.conftest import at, staff_login
from uadesk import pagecache
from uadesk.actions.models import Action, Translation
from uadesk.actions.services import actions_close_expired

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def retitle_unseen(action, title: str) -> None:
    """Changes the title as no staff form does (an update() sends no signal): a kept page still shows
    the old one, which is how a test tells a kept page from a fresh one."""
    Action.objects.filter(pk=action.pk).update(title=title)


def test_a_kept_page_is_served_until_staff_change_the_action_and_the_next_view_shows_the_change(
    client, seed_action
):
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        for page in (url, reverse("actions:list")):
            assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html(client, page)
        retitle_unseen(seed_action, "A TITLE NOBODY SAVED")
        for page in (url, reverse("actions:list")):
            assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html(Client(), page), "kept"

        seed_action.refresh_from_db()
        seed_action.title = "FREE THE 48 OF XINJIANG"
        seed_action.save()
        assert "FREE THE 48 OF XINJIANG" in html(client, url)
        assert "FREE THE 48 OF XINJIANG" in html(client, reverse("actions:list"))


def test_a_change_saved_in_another_web_process_shows_here_once_the_generation_read_is_older_than_trusted(
    client, seed_action
):
    """Another web process saves a change: it writes a new generation to the shared cache, which this
    process reads again at the first view after GENERATION_TRUSTED, and renders the page afresh."""
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html(client, url)
        retitle_unseen(seed_action, "SAVED ELSEWHERE")
        assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html(Client(), url), "kept"
        cache.set(pagecache.GENERATION, "another-process", None)  # its _new_generation, not ours
        time.sleep(pagecache.GENERATION_TRUSTED * 2)
        assert "SAVED ELSEWHERE" in html(Client(), url)


def test_a_change_to_an_official_or_a_new_translation_shows_at_the_next_view(client, seed_action):
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        assert "Ma Xingrui" in html(client, url)
        ma = seed_action.targets.get(name="Ma Xingrui")
        ma.name = "Chen Xiaojiang"
        ma.save()
        page = html(client, url)
        assert "Chen Xiaojiang" in page and "Ma Xingrui" not in page

        french = html(client, "/fr" + url.removeprefix("/en"))
        assert "Ce dossier n'a pas été traduit" in french or "Ce dossier n&#x27;a pas été traduit" in french
        Translation.objects.create(action=seed_action, language="fr", title="DISPARUS AU XINJIANG")
        assert "DISPARUS AU XINJIANG" in html(client, "/fr" + url.removeprefix("/en"))


def test_each_language_and_chosen_text_is_kept_apart_and_other_addresses_are_rendered_afresh(
    client, seed_action
):
    Translation.objects.create(action=seed_action, language="fr", title="DISPARUS AU XINJIANG")
    url = seed_action.get_absolute_url()
    french_url = "/fr" + url.removeprefix("/en")
    with at(OPEN_DAY):
        assert '<html lang="en"' in html(client, url)
        assert "DISPARUS AU XINJIANG" in html(client, french_url)
        assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html(client, french_url + "?text=en")
        assert '<html lang="en"' in html(client, url), "the French page is not the English one"
        retitle_unseen(seed_action, "A TITLE NOBODY SAVED")
        # An address with a parameter the page does not read is never kept nor served from the cache.
        assert "A TITLE NOBODY SAVED" in html(client, url + "?utm_source=newsletter")
        assert "A TITLE NOBODY SAVED" not in html(client, url)


def test_each_visitor_gets_their_own_csrf_token_on_a_kept_page_and_it_works(seed_action):
    """The letter form's first view is kept and carries a CSRF token: each visitor's own, filled in."""
    url = compose_url(seed_action)
    tokens = []
    with at(OPEN_DAY):
        for name in ("Ada Lovelace", "Grace Hopper"):
            visitor = Client(enforce_csrf_checks=True)
            page = html(visitor, url)
            assert pagecache.SLOT not in page
            [token] = set(TOKEN.findall(page))
            tokens.append(token)
            # The letter form of the kept page, posted with this visitor's token and cookie.
            data = form_data(seed_action, name=name, step="send") | {"csrfmiddlewaretoken": token}
            assert visitor.post(url, data).status_code == 302
        assert tokens[0] != tokens[1]
        intruder = Client(enforce_csrf_checks=True)
        html(intruder, url)
        data = form_data(seed_action, step="send") | {"csrfmiddlewaretoken": tokens[0]}
        assert intruder.post(url, data).status_code == 403, "another visitor's token is not this one's"


def test_a_reader_of_the_kept_pages_gets_no_cookie_and_their_forms_work_without_a_token(seed_action):
    """The action page, the list and the home page hold only forms that need no CSRF token
    (uadesk/security.py, same_site_form): a visitor who reads them is given no cookie."""
    from uadesk.actions.models import Reminder

    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        for page in (url, reverse("actions:list"), "/"):
            Client().get(page)  # kept
            reader = Client(enforce_csrf_checks=True)
            response = reader.get(page, follow=True)
            assert response.status_code == 200 and not reader.cookies, page
            assert "csrfmiddlewaretoken" not in response.content.decode()
        page = html(reader, url)
        assert 'class="remind"' in page and 'action="/i18n/setlang/"' in page
        switched = reader.post(reverse("set_language"), {"language": "fr", "next": url})
        assert switched.status_code == 302 and switched["Location"].startswith("/fr/")
        reminded = reader.post(
            reverse("supporters:remind", args=[seed_action.slug]), {"email": "ada@example.org"}
        )
        assert reminded.status_code == 200 and Reminder.objects.filter(action=seed_action).count() == 1


def test_a_writer_the_form_remembers_sees_their_own_details_and_nobody_else_does(client, seed_action):
    with at(OPEN_DAY):
        stranger_first = html(Client(), compose_url(seed_action))  # kept for new writers
        assert client.post(compose_url(seed_action), form_data(seed_action, step="send")).status_code == 302
        own = html(client, compose_url(seed_action))
        stranger = html(Client(), compose_url(seed_action))
    assert re.search(r'name="name"[^>]*value="Ada Lovelace"', own)
    assert "Ada Lovelace" not in stranger and "ada@example.org" not in stranger
    fresh = re.compile(r'name="(csrfmiddlewaretoken|key)" value="[^"]+"')  # new in each answer
    assert fresh.sub("", stranger) == fresh.sub("", stranger_first)


def test_staff_signed_in_see_fresh_pages_and_their_preview_of_a_draft_is_never_kept(
    client, seed_action, django_user_model
):
    seed_action.status = Action.Status.DRAFT
    seed_action.save()
    user = django_user_model.objects.create_user("editor", password="a long staff password", is_staff=True)
    user.is_superuser = True
    user.save()
    staff = staff_login(client, user)
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        assert "MISSING AND ARBITRARILY DETAINED IN XINJIANG" in html(staff, url)
        html(Client(), url, status=404)
        retitle_unseen(seed_action, "A TITLE NOBODY SAVED")
        assert "A TITLE NOBODY SAVED" in html(staff, url)


def test_an_error_page_rendered_for_the_cache_holds_no_slot(client, seed_action):
    page = html(client, reverse("actions:detail", kwargs={"slug": "no-such-action"}), status=404)
    assert "Page not found" in page and pagecache.SLOT not in page and pagecache.KEY_SLOT not in page


def test_closing_the_expired_actions_shows_at_once(client, seed_action):
    url = seed_action.get_absolute_url()
    with at(datetime.date(2022, 9, 24)):
        assert "This action is closed" in html(client, url)  # the day after its deadline
        assert actions_close_expired(today=datetime.date(2022, 9, 24)) == 1
        assert "This action is closed" in html(client, url)
    with at(OPEN_DAY):
        assert "This action is closed" in html(client, url)
        seed_action.refresh_from_db()
        seed_action.status = Action.Status.PUBLISHED
        seed_action.save()
        assert "This action is closed" not in html(client, url)


def test_a_kept_page_links_the_faces_of_its_scripts_once(client, seed_action):
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        pages = [html(Client(), url) for _ in range(2)]
    for page in pages:
        assert len(re.findall(r'<link rel="stylesheet" href="/fonts/[^"]+\.css">', page)) == 1


def test_the_petition_count_keeps_its_headers_and_a_signature_does_not_empty_the_cache(client, petition):
    url = reverse("petition_count", kwargs={"slug": petition.slug})
    first = client.get(url)
    generation = cache.get(pagecache.GENERATION)
    petition.signatures.create(name="Bo Chen", country="FR", household_place=1)
    again = client.get(url)
    assert cache.get(pagecache.GENERATION) == generation
    assert json.loads(again.content) == json.loads(first.content)
    assert again["Access-Control-Allow-Origin"] == "*" and again["Cache-Control"].startswith("public")
    petition.goal = 20
    petition.save()
    assert json.loads(client.get(url).content)["goal"] == 20


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_starts_a_new_generation_again_after_the_commit(client, seed_action):
    """A view that read the old rows while the change was being written kept its page under the
    generation set at the save; the commit sets another, so that page is never served."""
    with transaction.atomic():
        seed_action.title = "FREE THE 48 OF XINJIANG"
        seed_action.save()
        during = cache.get(pagecache.GENERATION)
    after = cache.get(pagecache.GENERATION)
    assert during and after and during != after
    with at(OPEN_DAY):
        assert "FREE THE 48 OF XINJIANG" in html(client, seed_action.get_absolute_url())


def test_no_page_is_kept_when_the_desk_keeps_none(client, seed_action, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        html(client, url)
        retitle_unseen(seed_action, "A TITLE NOBODY SAVED")
        assert "A TITLE NOBODY SAVED" in html(client, url)


def test_each_new_writer_gets_a_form_key_of_their_own_and_both_letters_are_taken(seed_action):
    """The letter form's first view is kept, but its one-time key is new in each answer: two writers
    given the same key would send one letter between them."""
    from uadesk.appeals.models import Appeal

    keys = []
    with at(OPEN_DAY):
        for name in ("Ada Lovelace", "Grace Hopper"):
            writer = Client()
            page = html(writer, compose_url(seed_action))
            assert pagecache.KEY_SLOT not in page
            [key] = re.findall(r'name="key" value="([^"]+)"', page)
            keys.append(key)
            sent = writer.post(
                compose_url(seed_action), form_data(seed_action, key=key, name=name, step="send")
            )
            assert sent.status_code == 302
    assert keys[0] != keys[1]
    assert Appeal.objects.values("submission").distinct().count() == 2


def test_a_page_served_in_front_of_the_stack_has_the_headers_of_one_rendered_and_its_own_length(seed_action):
    url = seed_action.get_absolute_url()
    with at(OPEN_DAY):
        rendered, served = Client().get(url), Client().get(url)
    assert served.status_code == 200 and served.content != b""
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Content-Type", "Vary"):
        assert served[header] == rendered[header], header
    assert served["Content-Length"] == str(len(served.content))
    assert served["X-Request-ID"] != rendered["X-Request-ID"]


def test_a_visitor_keeps_the_csrf_secret_of_their_cookie_and_a_newcomer_gets_one(seed_action, settings):
    from django.middleware.csrf import _unmask_cipher_token

    url = compose_url(seed_action)
    with at(OPEN_DAY):
        Client().get(url)  # kept
        newcomer = Client()
        first = newcomer.get(url)
        secret = first.cookies[settings.CSRF_COOKIE_NAME].value
        again = newcomer.get(url)
    # Django sends the cookie again with each token (its expiry renewed), with the same secret.
    assert again.cookies[settings.CSRF_COOKIE_NAME].value == secret
    for response in (first, again):
        [token] = set(TOKEN.findall(response.content.decode()))
        assert _unmask_cipher_token(token) == secret


@pytest.mark.django_db(transaction=True)
def test_while_one_thread_renders_a_page_whose_time_is_up_the_others_serve_the_page_held(
    open_action, settings, monkeypatch
):
    """A surge's threads do not all render the page at once when its time is up: one does, the others
    serve the page the process held (its generation unchanged: staff saved nothing) until it is done."""
    import threading

    from uadesk import webfonts

    settings.PAGE_CACHE_SECONDS = 1
    url = open_action.get_absolute_url()
    assert open_action.title in html(Client(), url)
    retitle_unseen(open_action, "COUNTS MOVED ON")
    time.sleep(1.2)  # the page's time is up, here and in the shared cache

    rendering, finish = threading.Event(), threading.Event()
    with_faces = webfonts.with_faces

    def slow_render(text):
        rendering.set()
        assert finish.wait(30)
        return with_faces(text)

    monkeypatch.setattr(webfonts, "with_faces", slow_render)
    first = []

    def ask_first():
        try:
            first.append(html(Client(), url))
        finally:
            connection.close()  # this thread's own

    renderer = threading.Thread(target=ask_first)
    renderer.start()
    assert rendering.wait(30)
    meanwhile = html(Client(), url)  # served while the first thread renders: the held page
    monkeypatch.setattr(webfonts, "with_faces", with_faces)
    finish.set()
    renderer.join(30)
    assert open_action.title in meanwhile and "COUNTS MOVED ON" not in meanwhile
    assert "COUNTS MOVED ON" in first[0]
    assert "COUNTS MOVED ON" in html(Client(), url), "kept by the thread that rendered it"
