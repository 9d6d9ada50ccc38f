"""Tests of uadesk.delivery."""
