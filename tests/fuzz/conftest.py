"""Hypothesis settings for the short runs in the test suite; docs/security.md has the long ones."""

import datetime
import os
import tempfile

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches in ./.hypothesis unless told otherwise: keep the work tree clean. (Set here
# rather than through HYPOTHESIS_STORAGE_DIRECTORY, which is read once, possibly before this file.)
set_hypothesis_home_dir(
    os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or os.path.join(tempfile.gettempdir(), "uadesk-hypothesis")
)

# The short run stays in the normal suite: a modest number of examples, fresh each run (no example
# database in the work tree). HYPOTHESIS_PROFILE=long runs many more for a fuzzing session.
settings.register_profile(
    "short",
    max_examples=60,
    deadline=datetime.timedelta(seconds=5),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=20_000,
    deadline=datetime.timedelta(seconds=5),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "short"))
