"""A holder module whose own import is broken: that is a bug to show, not a holder to skip."""

import tests.supporters.no_such_module  # noqa: F401
