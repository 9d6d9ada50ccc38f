"""Supporters: the people who act, with as little personal data as the task needs, consent and erasure."""
