"""The environment of the desk's processes in the load tests."""

import pytest

from tests.load.helpers import LOAD_ENV


@pytest.fixture
def desk_env(worker_env):
    return worker_env | LOAD_ENV
