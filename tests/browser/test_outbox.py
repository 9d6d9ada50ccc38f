"""Staff find a letter that failed in the outbox, see why, send it again and watch it go: to the end."""

import uuid

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import staff_sign_in, wait_until
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Attempt, Message
from uadesk.staff.models import AuditEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PASSWORD = "a long staff password"


def test_staff_send_a_failed_letter_again_from_the_outbox(
    desk, desk_worker, browser_context, open_action, django_user_model, screenshot
):
    mailbox = desk_worker
    staff = django_user_model.objects.create_superuser("campaigns", email="", password=None)
    hasher = PBKDF2PasswordHasher()
    staff.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    staff.save()
    phone = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    xi = open_action.targets.get(name="Xi Jinping")
    mailbox.refuse["english@mail.gov.cn"] = "550 5.1.1 No such user"  # the official's server, for a while
    [appeal] = appeal_submit(
        action=open_action, targets=[xi], channel="email", language="en", subject=open_action.title,
        letters={xi.pk: "Dear President Xi Jinping,\n\nRelease them.\n\nAda, Lyon"},
        writer=Writer(name="Ada"), key=uuid.uuid4(),
    )  # fmt: skip
    wait_until(lambda: appeal.delivery().status == "failed", message="the worker never tried the letter")
    del mailbox.refuse["english@mail.gov.cn"]  # the official's server takes mail again

    page = browser_context().new_page()
    staff_sign_in(page, desk, "campaigns", PASSWORD, phone)
    page.goto(desk("/staff/delivery/message/?attention=yes"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "550" in rows.first.inner_text() and "Failed" in rows.first.inner_text()
    screenshot(page, "outbox-failed")
    rows.first.locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("retry")
    page.get_by_role("button", name="Run").click()
    page.locator(".messagelist").wait_for()
    assert "1 message queued again." in page.locator(".messagelist").inner_text()

    wait_until(lambda: len(mailbox.messages) == 1, message="the letter sent again never arrived")
    assert mailbox.messages[0]["Message-ID"] == appeal.message_id
    page.goto(desk("/staff/delivery/message/"))
    assert "Sent" in page.locator("#result_list tbody tr").first.inner_text()
    page.locator("#result_list tbody tr th a").first.click()  # the message, with its attempts
    page.locator(".inline-group").wait_for()
    assert page.get_by_role("link", name=f"appeal #{appeal.pk}").count() == 1  # to the letter it carried
    assert page.locator('input[name="_save"]').count() == 0  # nothing to edit on the page
    attempts = page.locator(".inline-group").inner_text()
    assert "Failed for good" in attempts and "Sent" in attempts
    screenshot(page, "message-attempts")
    appeal.refresh_from_db()
    assert appeal.status == "sent"
    assert list(Attempt.objects.values_list("number", "outcome")) == [(1, "failed"), (2, "sent")]
    assert AuditEntry.objects.filter(code="uadesk.message.retried", user=staff).count() == 1
    assert Message.objects.get().retried_from == 1
    assert Appeal.objects.count() == 1
