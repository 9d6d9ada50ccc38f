"""The public pages show a supporter everything the UA gives, open or closed."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import SEED_DEADLINE, at

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_open_action_page_shows_everything_from_the_ua(client, seed_action):
    with at(datetime.date(2022, 9, 1)):
        html = page(client, seed_action.get_absolute_url())
    for expected in [
        "MISSING AND ARBITRARILY DETAINED IN XINJIANG",
        "48 individuals from predominantly Muslim ethnic groups",
        "Xi Jinping",
        "President of the People’s Republic of China",
        "Zhongnanhai",
        "Xichangan’jie Xichengqu, Beijing Shi 100017",
        '<address lang="zh" dir="ltr">北京市西城区西长安街街道 100017</address>',
        "新疆维吾尔自治区乌鲁木齐市830041天山区中山路479号",
        "479 Zhongshan Lu, Tianshan Qu, Urumqi,",
        "Ma Xingrui",
        "Erkin Tuniyaz",
        "Mr Zheng Zeguang",
        "+86 10 6238 1025",
        "english@mail.gov.cn",
        "Dear President Xi Jinping",
        "I am distressed to learn that 120 people",
        "Pending their release, disclose their whereabouts",
        "Yours sincerely,",
        '<time datetime="2022-09-23">23 September 2022</time>',
        "22 days left",
        "please print out the address in Chinese and stick it on to the envelope",
        'href="https://www.amnesty.org/en/documents/ASA17/4243/2021/en/"',
        "You can also write in your own language.",
    ]:
        assert expected in html, expected
    languages = re.search(r"Preferred languages to address the targets:(.*?)</p>", html, re.S).group(1)
    assert languages.index("Chinese") < languages.index("English")
    assert 'class="button send"' in html
    assert "This action is closed" not in html


def test_each_target_is_shown_with_its_position(client, seed_action):
    with at(datetime.date(2022, 9, 1)):
        html = page(client, seed_action.get_absolute_url())
    targets = re.findall(
        r'<div class="target role-(\w+)">\s*<h3[^>]*>(.*?)</h3>\s*(?:<p class="position"[^>]*>(.*?)</p>)?',
        html,
    )
    assert targets == [
        ("primary", "Xi Jinping", "President of the People’s Republic of China"),
        ("additional", "Ma Xingrui", "party secretary of Xinjiang"),
        (
            "additional",
            "Erkin Tuniyaz",
            "Xinjiang’s government chairman and deputy party secretary of Xinjiang",
        ),
        ("copy", "Mr Zheng Zeguang", ""),
    ]


def test_last_day_says_so(client, seed_action):
    with at(SEED_DEADLINE):
        html = page(client, seed_action.get_absolute_url())
    assert "last day today" in html
    assert 'class="button send"' in html


def test_after_the_deadline_the_page_is_closed_without_send_button(client, seed_action):
    with at(SEED_DEADLINE + datetime.timedelta(days=1)):
        html = page(client, seed_action.get_absolute_url())
    assert "This action is closed" in html
    assert "Its deadline was 23 September 2022." in html
    assert "Please check with the office in your country" in html
    assert 'class="button send"' not in html
    assert "mailto:" not in html
    # The case and its targets stay readable for the record.
    assert "北京市西城区西长安街街道 100017" in html


def test_list_shows_open_and_closed_actions_apart(client, seed_action):
    with at(datetime.date(2022, 9, 20)):
        html = page(client, reverse("actions:list"))
    open_part, _, closed_part = html.partition('id="closed-heading"')
    assert seed_action.title in open_part
    assert "3 days left" in open_part
    assert seed_action.title not in closed_part

    with at(datetime.date(2022, 10, 1)):
        html = page(client, reverse("actions:list"))
    open_part, _, closed_part = html.partition('id="closed-heading"')
    assert seed_action.title not in open_part
    assert "There is no open action right now" in open_part
    assert seed_action.title in closed_part
    assert "Deadline was 23 September 2022" in closed_part


def test_drafts_are_hidden_from_supporters_and_shown_to_staff(staff_client, seed_action):
    seed_action.status = seed_action.Status.DRAFT
    seed_action.save()
    client = Client()
    assert client.get(seed_action.get_absolute_url()).status_code == 404
    assert seed_action.title not in page(client, reverse("actions:list"))
    with at(datetime.date(2022, 9, 1)):
        html = page(staff_client, seed_action.get_absolute_url())
    assert "Draft: only staff can see this page." in html


def test_pages_request_nothing_from_another_origin(client, seed_action):
    with at(datetime.date(2022, 9, 1)):
        for url in [reverse("actions:list"), seed_action.get_absolute_url()]:
            html = page(client, url)
            # Anything the browser fetches by itself: stylesheets, scripts, images, frames, fonts.
            fetched = re.findall(
                r'<(?:link|script|img|iframe|source|video|audio)\b[^>]*?(?:href|src)="([^"]*)"', html
            )
            assert fetched, "the page links its stylesheet"
            assert all(u.startswith("/") and not u.startswith("//") for u in fetched), fetched
    css = b"".join(client.get("/static/uadesk/site.css").streaming_content).decode()
    assert "url(" not in css and "@import" not in css


def test_pages_follow_the_readers_language_in_the_url(client, seed_action):
    with at(datetime.date(2022, 9, 1)):
        html = page(client, "/ar/")
    assert '<html lang="ar" dir="rtl">' in html


def test_names_show_in_both_scripts_and_a_chinese_name_in_pinyin(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    xi.native_name = "习近平"
    xi.save()
    seed_action.individuals.create(name="Ilham Tohti", native_name="伊力哈木·土赫提", position=9)
    with at(datetime.date(2022, 9, 1)), translation.override("es"):
        html = page(client, seed_action.get_absolute_url())
    pinyin = '<span class="pinyin" lang="zh-Latn-pinyin" dir="ltr">Xí Jìnpíng</span>'
    assert f'<bdi lang="zh" dir="ltr">习近平</bdi> {pinyin}' in html
    assert '<bdi class="native-name" lang="zh">伊力哈木·土赫提</bdi>' in html
    assert '<span class="pinyin" lang="zh-Latn-pinyin" dir="ltr">Yīlìhāmù Tǔhètí</span>' in html
    # A Chinese address runs from the country down to the person: the name comes last.
    native = re.search(r'<address lang="zh" dir="ltr">(.*?)</address>', html, re.S).group(1)
    assert native.split("<br>") == [*xi.native_address_lines, "习近平"]


def test_a_name_in_another_script_has_no_pinyin_and_comes_first_on_the_address(seed_action):
    target = seed_action.targets.create(
        name="Hassan Khalil", native_name="حسن خليل", native_language="ar", native_address="ص.ب. ١٢٣\nالقاهرة"
    )
    assert target.native_name_pinyin is None
    assert target.native_address_block == ["حسن خليل", "ص.ب. ١٢٣", "القاهرة"]
    target.native_address = ""
    assert target.native_address_block == []  # no address, no block: a name alone is not one


def test_a_link_without_a_language_follows_the_browser_and_every_page_keeps_it_in_the_url(
    client, seed_action
):
    with translation.override("en"):
        english = seed_action.get_absolute_url()
    bare = english.removeprefix("/en")
    response = client.get(bare, headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response["Location"] == f"/zh-hans{bare}"
    assert client.get(bare, headers={"accept-language": "es-MX"})["Location"] == f"/es{bare}"
    # Readers in Taiwan and Hong Kong get traditional characters; Brazil's and Austria's their language.
    readers = [("zh-TW,zh;q=0.9", "zh-hant"), ("zh-HK", "zh-hant"), ("pt-BR", "pt"), ("de-AT", "de")]
    for accept, prefix in readers:
        assert client.get(bare, headers={"accept-language": accept})["Location"] == f"/{prefix}{bare}", accept
    # The switch on every page keeps the reader on the same page, now in the language chosen.
    with at(datetime.date(2022, 9, 1)):
        html = page(client, f"/zh-hans{bare}")
        assert '<html lang="zh-hans" dir="ltr">' in html and 'name="language"' in html
        switched = client.post("/i18n/setlang/", {"language": "ar", "next": f"/zh-hans{bare}"})
        assert switched["Location"] == f"/ar{bare}"
        # A shared link opens in its own language, whatever the reader's browser says.
        assert '<html lang="ar" dir="rtl">' in page(Client(headers={"accept-language": "fr"}), f"/ar{bare}")


@pytest.mark.parametrize(
    ("language", "deadline"),
    [
        ("en", "23 September 2022"),
        ("fr", "23 septembre 2022"),
        ("es", "23 de septiembre de 2022"),
        ("zh-hans", "2022年9月23日"),
        ("zh-hant", "2022年9月23日"),
        ("ar", "23 سبتمبر، 2022"),
        ("de", "23. September 2022"),
        ("pt", "23 de Setembro de 2022"),
    ],
)
def test_deadlines_are_written_for_the_readers_language(client, seed_action, language, deadline):
    with at(datetime.date(2022, 9, 1)), translation.override(language):
        html = page(client, seed_action.get_absolute_url())
    assert f'<time datetime="2022-09-23">{deadline}</time>' in html


def element_attrs(html: str, pattern: str) -> dict[str, str]:
    """The attributes of the first tag whose opening matches `pattern` (e.g. r'div class="summary"')."""
    tag = re.search(rf"<{pattern}[^>]*>", html)
    assert tag, pattern
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(0)))


def test_the_english_case_on_the_arabic_page_is_marked_english_left_to_right(client, seed_action):
    with at(datetime.date(2022, 9, 1)), translation.override("ar"):
        url = seed_action.get_absolute_url()
    assert url.startswith("/ar/")
    with at(datetime.date(2022, 9, 1)):
        html = page(client, url)
    assert '<html lang="ar" dir="rtl">' in html
    # The case, the asks, the officials' names and positions and their Latin address: English, LTR.
    for pattern in [r'div class="summary"', r"h1", r'p class="position"', r"address(?! lang=\"zh)"]:
        attrs = element_attrs(html, pattern)
        assert (attrs.get("lang"), attrs.get("dir")) == ("en", "ltr"), (pattern, attrs)
    summary = re.search(r'<div class="summary" lang="en" dir="ltr">(.*?)</div>', html, re.S).group(1)
    assert "48 individuals from predominantly Muslim ethnic groups" in summary
    asks = re.search(r'<div class="asks">\s*<h3>[^<]*</h3>\s*<ul([^>]*)><li>', html)
    assert asks and asks.group(1) == ' lang="en" dir="ltr"', "the asks are not marked English"
    # The Chinese address runs left to right in Chinese; the model letter in its own language.
    assert '<address lang="zh" dir="ltr">北京市西城区西长安街街道 100017' in html
    assert re.search(r'<div lang="en" dir="ltr">\s*<p>Dear President Xi Jinping</p>', html)

    with at(datetime.date(2022, 9, 1)):
        listing = page(client, "/ar/")
    card = re.search(r'<li class="action-card">(.*?)</li>', listing, re.S).group(1)
    assert '<h3 lang="en" dir="ltr">' in card and '<p lang="en" dir="ltr">48 individuals' in card


def test_an_arabic_case_on_the_english_page_runs_right_to_left(client, seed_action):
    seed_action.title = "مفقودون ومحتجزون تعسفياً في شينجيانغ"
    seed_action.summary = "48 شخصاً من مجموعات عرقية ذات أغلبية مسلمة احتُجزوا في معسكرات."
    seed_action.save()
    seed_action.letters.create(language="ar", salutation="سيادة الرئيس", body="أكتب إليكم بشأن", closing="")
    with at(datetime.date(2022, 9, 1)):
        html = page(client, seed_action.get_absolute_url())
    assert '<html lang="en" dir="ltr">' in html
    # The case's language is read from its title and summary; the officials' positions are in it too.
    for pattern in [r'div class="summary"', r"h1", r'p class="position"']:
        attrs = element_attrs(html, pattern)
        assert (attrs.get("lang"), attrs.get("dir")) == ("ar", "rtl"), (pattern, attrs)
    assert re.search(r'<div lang="ar" dir="rtl">\s*<p>سيادة الرئيس</p>', html)


def test_a_sections_own_words_run_their_own_way(client, seed_action):
    from uadesk.actions.models import Localisation, Section

    section = Section.objects.create(code="de", name="Amnesty Deutschland", country="DE")
    localisation = Localisation.objects.create(
        action=seed_action, section=section, introduction="Bitte schreiben Sie."
    )
    localisation.targets.create(action=seed_action, name="Botschafter Wu Ken", title="Botschaft der VR China")
    with at(datetime.date(2022, 9, 1)), translation.override("ar"):
        html = page(client, localisation.get_absolute_url())
    assert '<div class="section-introduction" dir="auto">' in html
    assert '<p class="position" dir="auto">Botschaft der VR China</p>' in html
