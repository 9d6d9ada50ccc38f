"""Property tests (hypothesis) and coverage-guided fuzz targets (atheris) for what reads untrusted text."""
