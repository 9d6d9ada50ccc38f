"""The staff desk at 1280 px: the home, the list of actions, an imported action's form beside its source
and a report fit, no field or column cut off."""

import datetime
from pathlib import Path

import pytest

from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator
from uadesk.actions.models import Campaign
from uadesk.network.models import Mailing, Member
from uadesk.supporters.models import Supporter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PASSWORD = STAFF_PASSWORD
DEMO = Path(__file__).resolve().parents[2] / "uadesk" / "ingest" / "demo" / "xinjiang-2022.txt"

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


def side_by_side(page, left: str, right: str) -> None:
    """The two boxes share a band of the page, the first wholly before the second."""
    first, second = page.locator(left).bounding_box(), page.locator(right).bounding_box()
    assert first["x"] + first["width"] <= second["x"], f"{left} {first} is not beside {right} {second}"
    assert second["y"] < first["y"] + first["height"] and first["y"] < second["y"] + second["height"]


def test_the_staff_desk_fits_1280_px(desk, browser_context, administrator, open_action, screenshot):
    page = browser_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_sign_in(page, desk, "chief", PASSWORD, administrator[1])
    page.get_by_role("heading", name="Today at the desk").wait_for()
    assert open_action.title in page.locator(".desk-open").inner_text()
    screenshot(page, "home")
    fits(page)

    # Every column with something in it: a campaign, and a deadline extended.
    open_action.campaign = Campaign.objects.create(name="Uyghurs held in Xinjiang", slug="xinjiang")
    open_action.extend_deadline(open_action.deadline + datetime.timedelta(days=30), "More time for sections.")
    page.goto(desk("/staff/actions/action/"))
    screenshot(page, "actions")
    fits(page)
    # Django lets a list too wide for its box scroll inside it: its last columns out of sight.
    results = page.evaluate(
        """() => { const box = document.querySelector("#changelist .results");
                   return {scroll: box.scrollWidth, client: box.clientWidth}; }"""
    )
    assert results["scroll"] <= results["client"], f"the list of actions is cut: {results}"

    # The import's review: the draft's form beside the document it came from.
    page.goto(desk("/staff/ingest/"))
    page.locator('input[name="document"]').set_input_files(DEMO)
    page.get_by_role("button", name="Read the document").click()
    page.get_by_role("heading", name="Source document").wait_for()
    screenshot(page, "import-review")
    fits(page)
    side_by_side(page, ".ingest-draft form", ".ingest-source")

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

    # The case's mailing to the network: its audience, the allocation's plan, previews, the buttons.
    for n, (languages, most) in enumerate([("en", None), ("fr, zh", 1), ("ar", 2), ("es", 4)]):
        Member.objects.create(
            supporter=Supporter.for_email(f"m{n}@example.org"), status="active", languages=languages,
            most_per_30_days=most,
        )  # fmt: skip
    mailing = Mailing.objects.get(action=open_action, kind="new")
    page.goto(desk(f"/staff/network/mailing/{mailing.pk}/change/"))
    assert "Its audience today: 4 members." in page.locator(".mailing-desk").inner_text()
    assert page.get_by_role("heading", name="The allocation today").is_visible()
    screenshot(page, "mailing")
    fits(page)
    page.get_by_role("link", name="fr", exact=True).click()
    page.get_by_role("heading", name="Plain text").wait_for()
    assert open_action.title in page.locator("pre.mailing-preview-text").inner_text()
    screenshot(page, "mailing-preview-fr")
    fits(page)
