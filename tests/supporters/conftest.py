"""Supporters' fixtures: a supporter with data in a holder app (tests/supporters/holder.py)."""

import pytest

from tests.supporters import holder as holder_module


@pytest.fixture
def holder(settings):
    """The test holder as the only app holding supporters' data, empty at the start."""
    settings.SUPPORTER_DATA_HOLDERS = ["tests.supporters.holder"]
    holder_module.SIGNATURES.clear()
    yield holder_module
    holder_module.SIGNATURES.clear()


@pytest.fixture
def ana(db, holder):
    """A supporter who signed one petition, in French."""
    from uadesk.supporters.models import Supporter

    supporter = Supporter.for_email("Ana.Silva@example.org", language="fr")
    holder.sign(supporter, petition="Free Ilham Tohti", name="Ana Silva")
    holder.sign(Supporter.for_email("ben@example.org"), petition="Free Ilham Tohti", name="Ben Okafor")
    return supporter
