"""The staff desk at 1280 px: the home, an imported action's form and a report fit, no field cut off."""

import pytest

from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PASSWORD = STAFF_PASSWORD

# Every visible form field whose box reaches past its container's, and the page's horizontal overflow.
OVERFLOWS = """() => {
  const cut = [];
  for (const field of document.querySelectorAll("input, textarea, select")) {
    const box = field.getBoundingClientRect();
    if (box.width < 3 || box.height < 3 || getComputedStyle(field).visibility === "hidden") continue;
    const outer = field.parentElement.getBoundingClientRect();
    if (box.right > outer.right + 1 || box.left < outer.left - 1)
      cut.push(`${field.name || field.id || field.type}: ${Math.round(box.left)}-${Math.round(box.right)} `
               + `in ${Math.round(outer.left)}-${Math.round(outer.right)}`);
  }
  const page = document.documentElement;
  return {cut, scroll: page.scrollWidth - page.clientWidth};
}"""


@pytest.fixture
def administrator(django_user_model):
    return superuser_with_authenticator(django_user_model, "chief")


def fits(page) -> None:
    found = page.evaluate(OVERFLOWS)
    assert not found["cut"], f"fields cut off at {page.url}: {found['cut']}"
    assert found["scroll"] <= 0, f"{page.url} scrolls sideways by {found['scroll']} px"


def test_the_staff_desk_fits_1280_px(desk, browser_context, administrator, open_action, screenshot):
    page = browser_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_sign_in(page, desk, "chief", PASSWORD, administrator[1])
    page.get_by_role("heading", name="Today at the desk").wait_for()
    assert open_action.title in page.locator(".desk-open").inner_text()
    screenshot(page, "home")
    fits(page)

    page.goto(desk(f"/staff/actions/action/{open_action.pk}/change/"))
    screenshot(page, "action")
    fits(page)
    phones = page.locator('textarea[name="targets-0-phones"]')
    assert phones.get_attribute("rows") == "2"

    page.goto(desk(f"/staff/reports/{open_action.slug}/"))
    assert page.locator("#site-name").inner_text().strip() == "uadesk"
    screenshot(page, "report")
    fits(page)
    page.goto(desk("/staff/reports/"))
    screenshot(page, "reports")
    fits(page)
