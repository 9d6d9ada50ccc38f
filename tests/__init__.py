"""The uadesk test suite; it mirrors the uadesk package."""
