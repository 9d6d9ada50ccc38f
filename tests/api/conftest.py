"""Fixtures of the API tests: a draft, and tokens with chosen scopes."""

import pytest

from uadesk.actions.models import Action


@pytest.fixture
def draft_action(db):
    return Action.objects.create(slug="secret-draft", title="A draft nobody may see", summary="Not yet.")


@pytest.fixture
def make_token(db):
    """make_token("write", "personal_data") -> the key, as an Authorization header value."""
    from uadesk.api.models import ApiToken

    def make(*scopes: str, **fields) -> str:
        token = ApiToken(
            name=fields.pop("name", "CRM sync"),
            scope_read="read" in scopes,
            scope_write="write" in scopes,
            scope_personal_data="personal_data" in scopes,
            scope_target_addresses="target_addresses" in scopes,
            **fields,
        )
        key = token.new_key()
        token.save()
        return f"Bearer {key}"

    return make
