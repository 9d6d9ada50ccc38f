"""Tests of uadesk.appeals."""
