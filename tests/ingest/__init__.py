"""Tests of uadesk.ingest: the parser, the readers, the command and the staff import."""
