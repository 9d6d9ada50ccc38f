"""Tests of uadesk/operations: /metrics and `uadesk status`."""
