"""Every script on every screen: on this machine, which has no Chinese or Arabic font of its own, the
official's address in Chinese is drawn glyph by glyph by the face the desk serves, and copied with its
button; a page in Latin script alone downloads no font. On the staff desk too, in a field."""

import datetime
import subprocess

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def fonts_drawing(page, selector) -> list[dict]:
    """The fonts Chromium used to draw the element's text, as its DevTools reports them."""
    (page.locator(selector) if isinstance(selector, str) else selector).evaluate(
        "element => { element.id = 'fonts-of' }"
    )  # a selector CSS knows
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": "#fonts-of"})["nodeId"]
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def fonts_drawing_in_field(page, field) -> list[dict]:
    """The fonts drawing a text field's value, which Chromium draws in the field's own shadow tree."""
    field.evaluate("element => { element.id = 'fonts-of' }")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]

    def find(node):
        if "fonts-of" in node.get("attributes", []):
            return node
        for child in node.get("children", []) + node.get("shadowRoots", []):
            if found := find(child):
                return found
        return None

    inner = find(root)["shadowRoots"][0]["children"][0]  # the <div> holding the value's text
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": inner["nodeId"]})["fonts"]


def test_the_chinese_address_is_drawn_by_the_served_face_and_copied_on_a_phone(
    desk, browser_context, seed_action, screenshot
):
    # What the test stands on: the machine itself has no face for Chinese.
    assert subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip() == ""
    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=30)
    seed_action.save()
    xi = seed_action.targets.get(name="Xi Jinping")
    context = browser_context(viewport={"width": 390, "height": 844}, locale="fr")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=desk.url)
    page = context.new_page()
    fonts = []
    page.on("response", lambda r: fonts.append(r) if "/fonts/" in r.url else None)
    page.goto(desk(f"/fr/actions/{seed_action.slug}/"))
    # The browser asks for the served face only when the page's text needs it: wait until it has it.
    page.wait_for_function(
        "[...document.fonts].length > 0 && [...document.fonts].every(f => f.status == 'loaded')"
    )
    address = f".target:has(h3:text-is('{xi.display_name}')) .address.native address"
    text = "".join(xi.native_address_block)
    chinese = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    assert chinese >= 10
    drawn = {f["familyName"]: (f["isCustomFont"], f["glyphCount"]) for f in fonts_drawing(page, address)}
    # Each Chinese character by the served face; the digits and spaces by the system's own.
    assert drawn.pop("Noto Sans CJK SC", None) == (True, chinese), drawn
    assert [custom for custom, _ in drawn.values()] == [False] and sum(n for _, n in drawn.values()) == len(
        text
    ) - chinese
    assert all(r.status == 200 for r in fonts) and {r.url.rsplit(".", 1)[1] for r in fonts} == {
        "css",
        "woff2",
    }
    assert sum(len(r.body()) for r in fonts if r.url.endswith(".woff2")) < 60 * 1024
    screenshot(page, "native-address")

    button = page.locator(address).locator("xpath=..").get_by_role("button", name="Copier l'adresse")
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator(address).inner_text()
    assert "\n".join(xi.native_address_block) in page.evaluate("navigator.clipboard.readText()")

    # A page in Latin script alone (its language menu aside) asks for no font.
    fonts.clear()
    page.goto(desk("/en/network/join/"))
    assert fonts == []


def test_staff_read_an_officials_address_in_chinese_drawn_by_the_served_face(
    desk, browser_context, seed_action, django_user_model, screenshot
):
    from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator

    _, phone = superuser_with_authenticator(django_user_model, "office")
    xi = seed_action.targets.get(name="Xi Jinping")
    page = browser_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_sign_in(page, desk, "office", STAFF_PASSWORD, phone)
    page.goto(desk(f"/staff/actions/action/{seed_action.pk}/change/"))
    page.wait_for_function(
        "[...document.fonts].length > 0 && [...document.fonts].every(f => f.status == 'loaded')"
    )
    [field] = [
        f
        for f in page.locator("textarea[name$='-native_address']").all()
        if f.input_value() == xi.native_address
    ]
    chinese = sum(1 for c in xi.native_address if "\u4e00" <= c <= "\u9fff")
    assert chinese >= 10
    drawn = {
        f["familyName"]: (f["isCustomFont"], f["glyphCount"]) for f in fonts_drawing_in_field(page, field)
    }
    # Each Chinese character by the served face, once it arrived (the field was drawn before it did);
    # the digits and spaces by the system's own.
    assert drawn.pop("Noto Sans CJK SC", None) == (True, chinese), drawn
    assert [custom for custom, _ in drawn.values()] == [False]
    screenshot(page, "staff-native-address")
