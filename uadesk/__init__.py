"""uadesk: the desk of an Urgent Action network."""
