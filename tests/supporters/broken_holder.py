"""A holder module whose own import is broken: the system check and erasure name the missing import."""

import tests.supporters.no_such_module  # noqa: F401
