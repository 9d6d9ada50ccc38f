"""Ingest: Urgent Action documents (text, PDF, DOCX, saved web pages and emails) turned into draft actions."""
