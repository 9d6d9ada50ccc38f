"""The whole case in the reader's language: translations beside the original, a section's own, and the
officials a section puts in place of the original's."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.actions.test_lifecycle import posted_back
from uadesk.actions.models import Action, Localisation, ModelLetter, Section, Target, Translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(db):
    return case_in_english()


def case_in_english() -> Action:
    """A made-up case, told in English, with a minister to write to and an embassy to copy to."""
    action = Action.objects.create(
        slug="river-defenders",
        title="Two river defenders held without charge",
        summary="Two people who campaigned against a dam were arrested at their homes and are held.",
        asks="Release them at once\nLet them see their lawyers and families",
        additional_information="The dam would flood the valley where their families have farmed.",
        delivery_notes="Letters by post take three weeks to arrive",
        preferred_languages="en",
        deadline=timezone.localdate() + datetime.timedelta(days=20),
        status=Action.Status.PUBLISHED,
    )
    Target.objects.create(
        action=action, name="Jane Roe", honorific="Minister", title="Minister of the Interior",
        address="1 Ministry Road\nCapital City", salutation="Dear Minister", emails="minister@example.org",
        role=Target.Role.PRIMARY, position=0,
    )  # fmt: skip
    Target.objects.create(
        action=action, name="Pat Doe", honorific="Ambassador", title="Ambassador to the United Kingdom",
        address="2 Embassy Row\nLondon", salutation="Dear Ambassador", role=Target.Role.COPY, position=1,
    )  # fmt: skip
    ModelLetter.objects.create(
        action=action, language="en", body="Please release them.", salutation="Dear Minister"
    )
    return action


def french(action: Action, **parts) -> Translation:
    minister, embassy = action.targets.order_by("position")
    translation = Translation(
        action=action,
        language="fr",
        title="Deux défenseurs d’une rivière détenus sans inculpation",
        summary="Deux personnes qui faisaient campagne contre un barrage ont été arrêtées chez elles.",
        asks="Libérez-les immédiatement\nLaissez-les voir leurs avocats et leurs familles",
        officials={
            str(minister.pk): {"title": "Ministre de l’Intérieur", "salutation": "Madame la Ministre"},
        },
        **parts,
    )
    translation.full_clean()
    translation.save()
    return translation


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def element(html: str, css_class: str) -> str:
    """The opening tag of the first element with that class."""
    return re.search(rf'<[a-z0-9]+ class="{css_class}"[^>]*>', html).group(0)


def test_a_french_reader_reads_the_case_in_french_each_part_marked_with_its_language(client, action):
    french(action)
    html = page(client, f"/fr/actions/{action.slug}/")
    assert '<h1 lang="fr" dir="ltr">Deux défenseurs d’une rivière détenus sans inculpation</h1>' in html
    assert element(html, "summary") == '<div class="summary" lang="fr" dir="ltr">'
    assert "Deux personnes qui faisaient campagne" in html
    assert "<li>Libérez-les immédiatement</li>" in html
    assert '<p class="position" lang="fr" dir="ltr">Ministre de l’Intérieur</p>' in html
    assert '<dd lang="fr" dir="ltr">Madame la Ministre</dd>' in html
    assert "Two river defenders held" not in html.split("<h1", 1)[1].split("</h1>")[0]
    # What the translation left out comes from the original, marked as English.
    assert '<p class="position" lang="en" dir="ltr">Ambassador to the United Kingdom</p>' in html
    assert "<li>Letters by post take three weeks to arrive</li>" in html
    assert re.search(r'<div lang="en" dir="ltr"><p>The dam would flood', html)
    assert "has not been translated into your language" not in html
    # The reader can go back to the original.
    assert '<a href="?text=en" lang="en" hreflang="en">English</a>' in html
    assert '<strong lang="fr" aria-current="true">français</strong>' in html


def test_a_reader_whose_language_the_case_lacks_is_told_so_in_theirs_and_offered_the_others(client, action):
    french(action)
    html = page(client, f"/de/actions/{action.slug}/")
    assert "Two river defenders held without charge</h1>" in html
    assert '<h1 lang="en" dir="ltr">' in html
    notice = re.search(r'<p class="notice text-language"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Englisch" in notice  # said in German, naming the language shown
    assert '<a href="?text=fr" lang="fr" hreflang="fr">français</a>' in html

    # Following the offered link shows the French text, the interface staying German.
    html = page(client, f"/de/actions/{action.slug}/?text=fr")
    assert '<h1 lang="fr" dir="ltr">Deux défenseurs' in html
    assert '<html lang="de"' in html
    assert "has not been translated" not in html and "Englisch" not in html.split("<main", 1)[1][:200]


def test_a_language_the_case_does_not_have_asked_in_the_address_falls_back_to_the_page_language(
    client, action
):
    french(action)
    html = page(client, f"/fr/actions/{action.slug}/?text=ja")
    assert '<h1 lang="fr" dir="ltr">Deux défenseurs' in html


def test_an_arabic_translation_is_laid_out_right_to_left_inside_an_english_page(client, action):
    Translation.objects.create(action=action, language="ar", title="مدافعان عن النهر محتجزان دون تهمة")
    html = page(client, f"/en/actions/{action.slug}/?text=ar")
    assert '<h1 lang="ar" dir="rtl">مدافعان عن النهر محتجزان دون تهمة</h1>' in html
    assert element(html, "summary") == '<div class="summary" lang="en" dir="ltr">'  # not translated


def test_the_model_letter_stays_chosen_apart_from_the_page_language(client, action):
    french(action)
    ModelLetter.objects.create(action=action, language="fr", body="Veuillez les libérer.")
    html = page(client, f"/fr/actions/{action.slug}/")
    letters = re.findall(r'<details class="letter"( open)?>.*?<div lang="(\w+)"', html, re.S)
    # The officials' preferred language is open first; the French letter is one choice among them.
    assert letters == [(" open", "en"), ("", "fr")]


def test_a_section_translates_everything_and_replaces_the_embassy_leaving_the_original_untouched(
    client, action
):
    french(action)
    minister, embassy = action.targets.order_by("position")
    section = Section.objects.create(code="be", name="Section belge", country="BE")
    localisation = Localisation.objects.create(action=action, section=section)
    replacement = Target(
        action=action, localisation=localisation, replaces=embassy, role=Target.Role.COPY, name="Alex Poe",
        honorific="Ambassadeur", title="Ambassadeur en Belgique", address="3 avenue des Arts\nBruxelles",
    )  # fmt: skip
    replacement.full_clean()
    replacement.save()
    Translation.objects.create(
        action=action, localisation=localisation, language="fr", title="Le titre de la section belge",
        officials={str(minister.pk): {"title": "Ministre de l’Intérieur (Belgique dit)"}},
    )  # fmt: skip

    html = page(client, f"/fr/sections/be/actions/{action.slug}/")
    assert "Le titre de la section belge</h1>" in html
    assert "Ministre de l’Intérieur (Belgique dit)" in html
    assert "Deux personnes qui faisaient campagne" in html  # the office's French where the section has none
    assert "Ambassadeur en Belgique" in html and "3 avenue des Arts" in html
    assert "Ambassador to the United Kingdom" not in html and "2 Embassy Row" not in html
    # In the place of the embassy it replaces: after the minister, as the one to copy to.
    assert action.targets_for(localisation) == [minister, replacement]

    original = page(client, f"/fr/actions/{action.slug}/")
    assert "Le titre de la section belge" not in original
    assert "Deux défenseurs d’une rivière" in original
    assert "2 Embassy Row" in original and "3 avenue des Arts" not in original
    action.refresh_from_db()
    assert action.title == "Two river defenders held without charge"


def test_a_section_can_replace_only_an_official_the_action_copies_to(action):
    minister, embassy = action.targets.order_by("position")
    localisation = Localisation.objects.create(
        action=action, section=Section.objects.create(code="ch", name="CH")
    )
    instead_of_minister = Target(action=action, localisation=localisation, replaces=minister, name="Someone")
    with pytest.raises(ValidationError) as refused:
        instead_of_minister.full_clean()
    assert "not one it is addressed to" in str(refused.value)
    not_a_section = Target(action=action, replaces=embassy, name="Someone")
    with pytest.raises(ValidationError) as refused:
        not_a_section.full_clean()
    assert "Only a section's official" in str(refused.value)
    other = Action.objects.create(slug="other", title="Other", summary="Other case.")
    copy_elsewhere = Target.objects.create(action=other, name="X", role=Target.Role.COPY)
    foreign = Target(action=action, localisation=localisation, replaces=copy_elsewhere, name="Someone")
    with pytest.raises(ValidationError) as refused:
        foreign.full_clean()
    assert "official of this action itself" in str(refused.value)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"language": "French"}, "language code"),
        (
            {"language": "en", "title": "Another English title"},
            "The action itself is written in this language",
        ),
        ({"language": "fr", "title": "Deux\nlignes"}, "one line"),
        ({"language": "fr"}, "at least its title"),
        ({"language": "fr", "title": "T", "officials": {"1": {"title": ["not", "text"]}}}, "are text"),
    ],
)
def test_a_translation_refuses_what_it_cannot_show(action, fields, error):
    with pytest.raises(ValidationError) as refused:
        Translation(action=action, **fields).full_clean()
    assert error in str(refused.value)


def test_one_translation_per_language_for_the_office_and_for_each_section(action):
    french(action)
    with pytest.raises(ValidationError) as refused:
        Translation(action=action, language="fr", title="Encore").full_clean()
    assert "already has a translation in this language" in str(refused.value)
    localisation = Localisation.objects.create(
        action=action, section=Section.objects.create(code="fr", name="FR")
    )
    Translation(action=action, localisation=localisation, language="fr", title="La section").full_clean()


def test_a_letter_in_french_opens_with_the_translated_salutation(action):
    french(action)
    minister, embassy = action.targets.order_by("position")
    letter_fr = ModelLetter.objects.create(action=action, language="fr", body="Veuillez les libérer.")
    letter_en = action.letters.get(language="en")
    minister = Target.objects.get(pk=minister.pk)  # as a letter finds it, without the page's extras
    assert minister.salutation_for(letter_fr) == "Madame la Ministre"
    assert minister.salutation_for(letter_en) == "Dear Minister"
    assert embassy.salutation_for(letter_fr) == "Dear Ambassador"  # not translated: as the UA gives it


def test_text_in_matches_a_language_with_its_region_or_script_and_prefers_the_exact_one(action):
    Translation.objects.create(action=action, language="zh", title="两名河流捍卫者")
    Translation.objects.create(action=action, language="zh-Hant", title="兩名河流捍衛者")
    action = Action.objects.prefetch_related("translations").get(pk=action.pk)
    assert action.text_in("zh-hant").title.text == "兩名河流捍衛者"
    assert action.text_in("zh-hans").title.text == "两名河流捍卫者"
    assert action.text_in("fr-CH").found is False
    assert action.text_in("en-GB").found is True
    assert action.text_in("de").languages == ("en", "zh", "zh-Hant")


def test_the_list_of_actions_shows_each_title_in_the_readers_language(client, action):
    french(action)
    html = page(client, "/fr/")
    assert "Deux défenseurs d’une rivière détenus sans inculpation</a>" in html
    assert "Two river defenders held without charge</a>" in page(client, "/en/")


def test_staff_translate_the_case_and_the_officials_on_the_action_form(staff_client, action):
    minister, embassy = action.targets.order_by("position")
    url = f"/staff/actions/action/{action.pk}/change/"
    response = staff_client.get(url)
    data = posted_back(response)
    data.update({
        "translations-TOTAL_FORMS": "1",
        "translations-0-language": "es",
        "translations-0-title": "Dos defensores de un río detenidos sin cargos",
        f"translations-0-official_{minister.pk}_title": "Ministra del Interior",
        f"translations-0-official_{minister.pk}_salutation": "Señora Ministra",
    })  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    saved = action.translations.get()
    assert saved.official(minister) == {"title": "Ministra del Interior", "salutation": "Señora Ministra"}
    assert saved.official(embassy) == {}
    html = page(staff_client, f"/es/actions/{action.slug}/")
    assert '<p class="position" lang="es" dir="ltr">Ministra del Interior</p>' in html


def test_the_translation_form_asks_for_each_officials_position_and_salutation(staff_client, action):
    Translation.objects.create(action=action, language="es", title="Dos defensores")
    minister, embassy = action.targets.order_by("position")
    form = staff_client.get(f"/staff/actions/action/{action.pk}/change/").content.decode()
    assert f'name="translations-0-official_{minister.pk}_title"' in form
    assert f'name="translations-0-official_{embassy.pk}_salutation"' in form
    assert "Position of Minister Jane Roe" in form


def test_a_section_replaces_the_embassy_and_translates_on_its_localisation_form(staff_client, action):
    minister, embassy = action.targets.order_by("position")
    section = Section.objects.create(code="at", name="Österreich", country="AT")
    localisation = Localisation.objects.create(action=action, section=section)
    url = f"/staff/actions/localisation/{localisation.pk}/change/"
    response = staff_client.get(url)
    choices = [
        c[0].value
        for c in response.context["inline_admin_formsets"][0].formset.forms[0].fields["replaces"].choices
        if c[0]
    ]
    assert choices == [embassy.pk]  # only what the action copies to
    data = posted_back(response)
    data.update({
        "targets-0-replaces": str(embassy.pk), "targets-0-role": "copy", "targets-0-name": "Erika Muster",
        "targets-0-honorific": "Botschafterin", "targets-0-address": "Ringstraße 1\nWien",
        "targets-0-position": "1",
        "translations-TOTAL_FORMS": "1", "translations-0-language": "de",
        "translations-0-title": "Zwei Flussschützer ohne Anklage in Haft",
        f"translations-0-official_{minister.pk}_title": "Innenministerin",
    })  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    html = page(client_for(), f"/de/sections/at/actions/{action.slug}/")
    assert '<h1 lang="de" dir="ltr">Zwei Flussschützer ohne Anklage in Haft</h1>' in html
    assert "Innenministerin" in html and "Botschafterin Erika Muster" in html
    assert "Pat Doe" not in html


def client_for():
    from django.test import Client

    return Client()


def test_the_api_gives_each_translation_with_the_officials_by_their_target_id(client, action):
    french(action)
    minister, _embassy = action.targets.order_by("position")
    data = client.get(f"/api/advocacy_campaigns/{action.slug}").json()
    assert data["language"] == "en"
    [fr] = data["translations"]
    assert fr["language"] == "fr" and fr["title"].startswith("Deux défenseurs")
    assert fr["asks"] == ["Libérez-les immédiatement", "Laissez-les voir leurs avocats et leurs familles"]
    assert fr["targets"] == [
        {"id": minister.pk, "title": "Ministre de l’Intérieur", "salutation": "Madame la Ministre"}
    ]
