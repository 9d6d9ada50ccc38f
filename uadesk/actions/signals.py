"""What the actions app tells the apps that build on it, without importing them."""

from django.dispatch import Signal

# A target's saved change sends its letters somewhere new (Target.redirects_letters). Sent by target_save
# inside its transaction, with `target` and `addresses` (the new ones): each receiver holds the letters
# still waiting to go to the target, so none leaves for the new address before staff approve it, and
# returns how many it held. The appeals app receives it (uadesk/appeals/signals.py).
target_redirected = Signal()
