"""A UA's translation imported onto the action that holds the original: found by its UA or index number,
added as the action's translation with its model letter when staff say so, or made an action of its own.

The two documents are written for these tests, in the layouts the parser reads: an English UA and its
French translation, with names and places of their own."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import staff_login
from tests.ingest.test_views import INGEST_URL, FormFields, upload
from uadesk.actions.models import Action, ModelLetter, Translation
from uadesk.ingest.services import action_ingest, document_parse
from uadesk.ingest.translations import NotATranslation, translation_add, translation_import
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db

ENGLISH = """URGENT ACTION

UA 77/31 Index: AFR 98/4242/2031

BEEKEEPERS HELD AFTER PROTEST AT THE DAM

Beekeepers Odile Marchetti and Tobiah Wrenfield were arrested on 4 February 2031 after a peaceful
protest against the flooding of their valley by a new dam. They are held at Kessel police station
without access to a lawyer.

TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER

Minister of the Interior
Casimir Holloway-Brandt
Ministry of the Interior
9 Lantern Road
Kessel 4410, Ruritania
Email: minister@interior.example
Salutation: Dear Minister

Chief Prosecutor
Ysolde Fennimore
Office of the Chief Prosecutor
22 Quarry Lane
Kessel 4412, Ruritania
Fax: +99 21 555 0144
Salutation: Dear Prosecutor

Dear Minister,

I am writing about the beekeepers Odile Marchetti and Tobiah Wrenfield, arrested after a peaceful
protest at the dam.

I urge you to:
• Release both beekeepers immediately and unconditionally;
• Ensure they have access to a lawyer of their choice.

Yours sincerely,

PREFERRED LANGUAGE TO ADDRESS TARGET: English

PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 30 March 2031
"""

FRENCH = """ACTION URGENTE

AU 77/31 Index : AFR 98/4242/2031

Action urgente : Des apiculteurs détenus après une manifestation au barrage

Les apiculteurs Odile Marchetti et Tobiah Wrenfield ont été arrêtés le 4 février 2031 après une
manifestation pacifique contre l'inondation de leur vallée par un nouveau barrage. Ils sont détenus
au poste de police de Kessel sans accès à un avocat.

Adressez vos appels à :

Ministre de l'Intérieur
M. Casimir Holloway-Brandt
Ministère de l'Intérieur
9 Lantern Road
Kessel 4410, Ruritanie
Courriel : minister@interior.example
Formule d'appel : Monsieur le Ministre

Procureure générale
Mme Ysolde Fennimore
Bureau de la procureure générale
22 Quarry Lane
Kessel 4412, Ruritanie
Fax : +99 21 555 0144
Formule d'appel : Madame la Procureure générale

Date limite : 30 mars 2031

Monsieur le Ministre,

Je vous écris au sujet des apiculteurs Odile Marchetti et Tobiah Wrenfield, arrêtés après une
manifestation pacifique au barrage.

Je vous demande de libérer immédiatement et sans condition Odile Marchetti et Tobiah Wrenfield.

Veuillez agréer, Monsieur le Ministre, l'expression de ma haute considération.
"""

TITLE = "BEEKEEPERS HELD AFTER PROTEST AT THE DAM"
FOUND = (
    "This document is UA 77/31 in French: the desk already has it as “BEEKEEPERS HELD AFTER PROTEST AT "
    "THE DAM” (in English)."
)


def english_action() -> Action:
    result = action_ingest(text=ENGLISH)
    assert result.created and not result.same_ua
    return result.action


def snapshot(action: Action) -> dict:
    """The action as staff and supporters read it, its officials with every address included."""
    action = Action.objects.get(pk=action.pk)
    fields = {f.attname: getattr(action, f.attname) for f in Action._meta.concrete_fields}
    del fields["updated_at"]  # moves for the API's modified_since, on purpose
    return {
        "fields": fields,
        "targets": list(action.targets.order_by("pk").values()),
        "individuals": list(action.individuals.order_by("pk").values()),
        "letters": list(action.letters.order_by("pk").values()),
    }


# ---------------------------------------------------------------- the service


def test_the_translation_is_found_and_nothing_is_created():
    action = english_action()
    result = action_ingest(text=FRENCH)
    assert result.same_ua and not result.created
    assert result.action == action and result.language == "fr"
    assert result.document["title"] == "Des apiculteurs détenus après une manifestation au barrage"
    assert Action.objects.count() == 1


def test_the_index_number_finds_it_too_whatever_its_case_and_spaces():
    action = english_action()
    Action.objects.filter(pk=action.pk).update(ua_number="", index_number="  afr 98/ 4242/2031 ")
    result = action_ingest(text=FRENCH)
    assert result.same_ua and result.action == action


def test_the_same_language_with_the_same_number_is_a_new_draft_as_before():
    english_action()
    corrected = ENGLISH.replace(
        "\nwithout access to a lawyer.", "\nwithout access to a lawyer or their families."
    )
    result = action_ingest(text=corrected)
    assert result.created and not result.same_ua
    assert Action.objects.count() == 2


def test_as_new_makes_a_draft_of_the_translation():
    english_action()
    result = action_ingest(text=FRENCH, as_new=True)
    assert result.created and not result.same_ua
    assert result.action.source_language == "fr"
    assert Action.objects.count() == 2


def test_the_translation_holds_the_case_and_each_official_by_order():
    action = english_action()
    before = snapshot(action)
    result = action_ingest(text=FRENCH)
    translation = translation_add(action=action, document=result.document, language=result.language)

    translation.refresh_from_db()
    assert (translation.action_id, translation.localisation_id, translation.language) == (
        action.pk,
        None,
        "fr",
    )
    assert translation.title == "Des apiculteurs détenus après une manifestation au barrage"
    assert translation.summary.startswith(
        "Les apiculteurs Odile Marchetti et Tobiah Wrenfield ont été arrêtés"
    )
    assert translation.asks == "libérer immédiatement et sans condition Odile Marchetti et Tobiah Wrenfield."
    minister, prosecutor = action.targets.order_by("position")
    assert translation.officials == {
        str(minister.pk): {"title": "Ministre de l'Intérieur", "salutation": "Monsieur le Ministre"},
        str(prosecutor.pk): {"title": "Procureure générale", "salutation": "Madame la Procureure générale"},
    }
    # Letters in French to the prosecutor open in French; the English ones as before.
    french = ModelLetter.objects.get(action=action, language="fr")
    assert prosecutor.salutation_for(french) == "Madame la Procureure générale"
    assert prosecutor.salutation_for(action.letters.get(language="en")) == "Dear Prosecutor"
    assert french.localisation_id is None
    assert french.subject == "Des apiculteurs détenus après une manifestation au barrage"
    assert (french.salutation, french.closing) == (
        "Monsieur le Ministre",
        "Veuillez agréer, Monsieur le Ministre, l'expression de ma haute considération.",
    )
    assert french.body.startswith("Je vous écris au sujet des apiculteurs")
    after = snapshot(action)
    assert after["fields"] == before["fields"] and after["targets"] == before["targets"]
    assert after["individuals"] == before["individuals"]
    assert after["letters"][: len(before["letters"])] == before["letters"]
    # The reader of French reads the case in French.
    assert action.text_in("fr").title.text == translation.title


def test_a_second_import_updates_the_translation_and_keeps_the_letter():
    action = english_action()
    document = action_ingest(text=FRENCH).document
    first = translation_add(action=action, document=document, language="fr")
    letter = ModelLetter.objects.get(action=action, language="fr")
    ModelLetter.objects.filter(pk=letter.pk).update(body="Une lettre corrigée par l'équipe.")
    revised = document_parse(
        text=FRENCH.replace("au barrage\n", "au barrage de Kessel\n", 1).replace(
            "Procureure générale\n", "Procureure générale de Ruritanie\n", 1
        )
    )
    second = translation_add(action=action, document=revised, language="fr")

    assert second.pk == first.pk
    assert Translation.objects.filter(action=action).count() == 1
    second.refresh_from_db()
    assert second.title == "Des apiculteurs détenus après une manifestation au barrage de Kessel"
    prosecutor = action.targets.order_by("position")[1]
    assert second.officials[str(prosecutor.pk)]["title"] == "Procureure générale de Ruritanie"
    # Staff's correction of the letter stands: an import never overwrites a letter.
    assert list(ModelLetter.objects.filter(action=action, language="fr").values_list("body", flat=True)) == [
        "Une lettre corrigée par l'équipe."
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_only_as_many_officials_as_both_have(count):
    action = english_action()
    document = action_ingest(text=FRENCH).document
    extra = dict(document["targets"][1], name="Aurore Delacroix-Vance", title="Ambassadrice", salutation="")
    document["targets"] = (document["targets"] + [extra])[:count]
    translation = translation_add(action=action, document=document, language="fr")
    own = [str(pk) for pk in action.targets.order_by("position").values_list("pk", flat=True)]
    assert list(translation.officials) == own[: min(count, 2)]


def test_the_action_s_own_language_is_refused():
    action = english_action()
    with pytest.raises(ValidationError) as refused:
        translation_add(action=action, document=document_parse(text=ENGLISH), language="en")
    assert "language" in refused.value.message_dict
    assert not Translation.objects.exists()


def test_a_document_of_another_ua_is_not_a_translation(django_user_model):
    user = django_user_model.objects.create_user("translator", password="x" * 16, is_staff=True)
    other = Action.objects.create(
        slug="other", title="Another case", summary="Another case.", ua_number="12/30"
    )
    with pytest.raises(NotATranslation) as refused:
        translation_import(action=other, text=FRENCH, user=user)
    assert refused.value.reason == NotATranslation.OTHER_UA
    assert not Translation.objects.exists() and not AuditEntry.objects.exists()


def test_a_document_in_the_action_s_own_language_is_not_its_translation(django_user_model):
    user = django_user_model.objects.create_user("translator", password="x" * 16, is_staff=True)
    action = english_action()
    with pytest.raises(NotATranslation) as refused:
        translation_import(action=action, text=ENGLISH.replace("DAM", "RESERVOIR"), user=user)
    assert (refused.value.reason, refused.value.language) == (NotATranslation.SAME_LANGUAGE, "en")
    assert not Translation.objects.exists() and not AuditEntry.objects.exists()


def test_the_command_line_still_makes_a_draft_of_a_translation(tmp_path):
    english_action()
    path = tmp_path / "ua-fr.txt"
    path.write_text(FRENCH, encoding="utf-8")
    out = io.StringIO()
    call_command("ingest", str(path), stdout=out)
    assert "Created draft action" in out.getvalue()
    assert Action.objects.count() == 2 and not Translation.objects.exists()


# ---------------------------------------------------------------- the staff desk


def confirmation(client) -> tuple[str, dict]:
    """Imports the English UA, then uploads the French: the page that asks, and what its form sends."""
    assert upload(client, ENGLISH.encode(), "ua-en.txt").status_code == 302
    response = upload(client, FRENCH.encode(), "ua-fr.txt")
    assert response.status_code == 200
    html = response.content.decode()
    form = FormFields()
    form.feed(html.split('<div id="content"', 1)[1])
    return html, form.data


def test_the_desk_asks_then_adds_the_translation(staff_client):
    html, data = confirmation(staff_client)
    action = Action.objects.get()
    assert FOUND in html
    assert "Add it as the French translation" in html and "Import it as a new action" in html
    assert '<ol class="breadcrumbs">' in html and "style=" not in html.split('<div id="content"', 1)[1]
    assert data["text"] == FRENCH and data["action"] == str(action.pk)
    assert not Translation.objects.exists()

    # A browser sends the text's line breaks as CR LF.
    sent = data | {"as": "translation", "text": data["text"].replace("\n", "\r\n")}
    response = staff_client.post(INGEST_URL, sent)
    change_url = reverse("admin:actions_action_change", args=[action.pk])
    assert response.status_code == 302 and response["Location"] == change_url
    translation = Translation.objects.get()
    assert (translation.action, translation.language) == (action, "fr")
    assert translation.title == "Des apiculteurs détenus après une manifestation au barrage"
    assert Action.objects.count() == 1
    assert ModelLetter.objects.filter(action=action, language="fr").exists()
    page = staff_client.get(change_url).content.decode()
    assert "The French translation of “BEEKEEPERS HELD AFTER PROTEST AT THE DAM” is added" in page
    entry = AuditEntry.objects.get(code="uadesk.action.changed")
    assert entry.object_id == str(action.pk) and "French translation" in entry.detail["note"]
    assert LogEntry.objects.get(object_id=str(action.pk)).change_message == entry.detail["note"]


def test_importing_the_translation_again_says_it_updates_it(staff_client):
    _, data = confirmation(staff_client)
    staff_client.post(INGEST_URL, data | {"as": "translation"})
    html = upload(staff_client, FRENCH.encode(), "ua-fr.txt").content.decode()
    assert "The action already has a French translation" in html
    assert "The action already has a model letter in French: it stays as it is." in html
    form = FormFields()
    form.feed(html.split('<div id="content"', 1)[1])
    assert staff_client.post(INGEST_URL, form.data | {"as": "translation"}).status_code == 302
    assert Translation.objects.count() == 1
    assert ModelLetter.objects.filter(language="fr").count() == 1


def test_the_desk_imports_it_as_a_new_action_when_asked(staff_client):
    _, data = confirmation(staff_client)
    response = staff_client.post(INGEST_URL, data | {"as": "new"})
    french = Action.objects.exclude(pk=data["action"]).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_action_change", args=[french.pk])
    assert french.title == "Des apiculteurs détenus après une manifestation au barrage"
    assert Action.objects.count() == 2 and not Translation.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "not a number", ""])
def test_a_tampered_or_vanished_action_is_explained(staff_client, pk):
    _, data = confirmation(staff_client)
    response = staff_client.post(INGEST_URL, data | {"as": "translation", "action": pk})
    assert response.status_code == 200
    assert "The action this document was to be added to is no longer on the desk" in response.content.decode()
    assert Action.objects.count() == 1 and not Translation.objects.exists()


def test_the_action_deleted_meanwhile_is_explained(staff_client):
    _, data = confirmation(staff_client)
    Action.objects.all().delete()
    response = staff_client.post(INGEST_URL, data | {"as": "translation"})
    assert response.status_code == 200
    assert "no longer on the desk" in response.content.decode()
    assert not Action.objects.exists() and not Translation.objects.exists()


def test_another_action_s_pk_is_refused(staff_client):
    _, data = confirmation(staff_client)
    other = Action.objects.create(
        slug="other", title="Another case", summary="Another case.", ua_number="12/30"
    )
    response = staff_client.post(INGEST_URL, data | {"as": "translation", "action": str(other.pk)})
    assert response.status_code == 200
    assert "This document is another UA than “Another case”" in response.content.decode()
    assert not Translation.objects.exists() and not other.letters.exists()


def test_a_text_that_no_longer_reads_is_explained(staff_client):
    _, data = confirmation(staff_client)
    response = staff_client.post(INGEST_URL, data | {"as": "translation", "text": "Pancakes. Mix flour."})
    assert response.status_code == 200
    assert "Urgent Action" in " ".join(response.context["form"].non_field_errors())
    assert Action.objects.count() == 1 and not Translation.objects.exists()


def test_staff_who_may_not_change_actions_cannot_add_a_translation(client, django_user_model):
    importer = django_user_model.objects.create_user("importer", password="x" * 16, is_staff=True)
    importer.user_permissions.add(
        Permission.objects.get(codename="add_action", content_type__app_label="actions")
    )
    staff_login(client, importer)
    html, data = confirmation(client)
    assert FOUND in html
    assert "Add it as the French translation" not in html and "Import it as a new action" in html
    assert client.post(INGEST_URL, data | {"as": "translation"}).status_code == 403
    assert Action.objects.count() == 1 and not Translation.objects.exists()
