"""Tests of uadesk.supporters."""
