"""What the actions app tells the apps that build on it, without importing them."""

from django.dispatch import Signal

# A target's saved change sends its letters somewhere new (Target.redirects_letters). Sent by target_save
# inside its transaction, with `target` and `addresses` (the new ones): each receiver holds the letters
# still waiting to go to the target, so none leaves for the new address before staff approve it, and
# returns how many it held. The appeals app receives it (uadesk/appeals/signals.py).
target_redirected = Signal()

# An outcome of a case was recorded. Sent by outcome_record inside its transaction, with `outcome`: each
# receiver makes an OutcomeNotice for every supporter who follows the case through it and asked for its
# news (bulk_create with ignore_conflicts: one who both wrote and signed gets one). The appeals and
# petitions apps receive it.
outcome_recorded = Signal()
