"""Date and number formats uadesk uses instead of Django's defaults."""
