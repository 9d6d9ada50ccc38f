"""A staff member imports a UA document in the browser, corrects the draft and publishes it for supporters."""

import datetime

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import ROOT, staff_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
DOCUMENT = ROOT / "tests" / "ingest" / "corpus" / "honduras-2017-copinh.txt"
PASSWORD = "a long staff password"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_superuser("editor", email="", password=None)
    # The server checks with its own hashers, not the suite's fast MD5; few iterations keep it quick.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save()
    return user


@pytest.fixture
def editor_phone(editor):
    """The editor's authenticator app: the staff desk asks for its code after the password."""
    return TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)


def test_staff_import_correct_and_publish_an_action(desk, browser_context, editor, editor_phone, screenshot):
    page = browser_context().new_page()
    staff_sign_in(page, desk, "editor", PASSWORD, editor_phone)
    page.goto(desk("/staff/ingest/"))
    page.get_by_label("Urgent Action document").set_input_files(DOCUMENT)
    screenshot(page, "import")
    page.get_by_role("button", name="Read the document").click()
    page.get_by_text("The document is now the draft below").wait_for()
    assert "Armed attack against members of COPINH" in page.locator(".ingest-source").inner_text()
    screenshot(page, "draft")

    # The document's deadline (16 August 2017) has passed: publishing is refused until staff correct it.
    deadline = page.locator('input[name="deadline"]')
    assert deadline.input_value() in ("2017-08-16", "16/08/2017", "08/16/2017")
    new_deadline = timezone.localdate() + datetime.timedelta(days=14)
    deadline.fill(new_deadline.isoformat())
    page.locator('input[name="title"]').fill("Honduras: COPINH coordinators attacked on the road")
    page.locator('input[name="_publish"]').click()
    page.locator(".messagelist").wait_for()
    screenshot(page, "published")
    assert not page.locator(".errornote").count(), page.locator("#content").inner_text()

    public = browser_context().new_page()
    public.goto(desk("/"))
    open_actions = public.locator("#open-heading + ul")
    assert "Honduras: COPINH coordinators attacked on the road" in open_actions.inner_text()
    screenshot(public, "public-list")
