"""The desk serves the Noto faces a public page's scripts need, as WOFF2 subsets of that page's own
characters: none for a page in Latin script, a few KB for a Chinese address, nothing for a forged link."""

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from uadesk import webfonts

ADDRESS = "中华人民共和国北京市西城区中南海国务院"
ARABIC = "السيد الرئيس، القاهرة"


def fonts_linked(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="(/fonts/[^"]+\.css)">', html)


def test_text_in_latin_script_needs_no_face_and_others_the_face_that_draws_them():
    assert webfonts.needed("Dear President, Zhongnanhai, Beijing — “Ürümqi”, 100 € ") == {}
    faces = webfonts.needed(f"Xi Jinping, {ADDRESS}; {ARABIC}")
    assert faces["cjk-sc"] == sorted({ord(c) for c in ADDRESS})
    assert faces["arabic"] == sorted({ord(c) for c in ARABIC if c != " "})
    assert set(faces) == {"cjk-sc", "arabic"}
    # Readers of traditional characters, Hong Kong, Japanese: the glyph forms of their own.
    assert set(webfonts.needed("臺北市", "zh-hant")) == {"cjk-tc"}
    assert set(webfonts.needed("香港", "zh-HK")) == {"cjk-hk"}
    assert set(webfonts.needed("東京", "ja")) == {"cjk-jp"}


@pytest.mark.django_db
def test_a_page_with_a_chinese_address_links_its_faces_and_a_latin_page_none(client, seed_action):
    html = client.get(seed_action.get_absolute_url()).content.decode()
    [stylesheet] = fonts_linked(html)
    css = client.get(stylesheet)
    assert css["Content-Type"] == "text/css; charset=utf-8" and "immutable" in css["Cache-Control"]
    rules = re.findall(
        r"src: url\(\"(/fonts/[^\"]+\.woff2)\"\) format\(\"woff2\"\); unicode-range: ([^;]+);", css.text
    )
    ranges = dict(rules)
    [chinese] = [url for url, points in ranges.items() if "U+4E2D" in points]  # 中
    face = client.get(chinese)
    assert face["Content-Type"] == "font/woff2" and face.content[:4] == b"wOF2"
    font = TTFont(io.BytesIO(face.content))
    drawn = set(font.getBestCmap())
    listed = {int(point[2:], 16) for point in ranges[chinese].split(",")}
    assert listed <= drawn and ord("中") in drawn
    assert len(drawn) < 400  # the page's characters, not the 44,000 of the face
    assert len(face.content) < 60 * 1024

    # A page in Latin script alone links no font; the language menu's own scripts do not count.
    join = client.get("/en/network/join/").content.decode()
    assert "简体中文" in join and fonts_linked(join) == []
    # The staff desk too: its sign-in page in Latin script links nothing.
    assert fonts_linked(client.get("/staff/login/").content.decode()) == []


@pytest.mark.django_db
def test_the_staff_desk_links_the_faces_of_an_actions_officials(staff_client, seed_action):
    from django.urls import reverse

    html = staff_client.get(reverse("admin:actions_action_change", args=[seed_action.pk])).content.decode()
    [stylesheet] = fonts_linked(html)
    css = staff_client.get(stylesheet).content.decode()
    # The native address's characters, among them 中 of 中南海, in the face the page's language asks for.
    assert "U+4E2D" in css and "cjk-sc" in webfonts.needed(html)
    # staff.css names the served faces after the admin's own, or the browser would never use them.
    staff_css = (Path(webfonts.__file__).parent / "static/uadesk/staff.css").read_text()
    assert f'"{webfonts.FAMILY}"' in staff_css.split("--font-family-primary:")[1].split(";")[0]


@pytest.mark.django_db
def test_a_forged_or_changed_font_link_is_not_found(client):
    path = webfonts.stylesheet_path(ADDRESS)
    assert client.get(path).status_code == 200
    token = path.removeprefix("/fonts/").removesuffix(".css")
    assert client.get(f"/fonts/{token[:-2]}xx.css").status_code == 404
    assert client.get("/fonts/anything.woff2").status_code == 404
    assert client.post(path).status_code == 405
