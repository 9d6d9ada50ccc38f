"""The desk's settings with the holders of TEST_SUPPORTER_DATA_HOLDERS, for a real `uadesk check`."""

import os

from uadesk.settings import *  # noqa: F403

SUPPORTER_DATA_HOLDERS = os.environ["TEST_SUPPORTER_DATA_HOLDERS"].split(",")
