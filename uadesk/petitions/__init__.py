"""Petitions and their signatures, confirmed by email and counted exactly."""
