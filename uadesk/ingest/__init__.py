"""Ingest: Urgent Action documents (text, PDF, DOCX) turned into draft actions."""
