"""Tests of uadesk.petitions."""
