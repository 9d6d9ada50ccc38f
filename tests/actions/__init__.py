"""Tests of actions: models, public pages, admin, tasks."""
