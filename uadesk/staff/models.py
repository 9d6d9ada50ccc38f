"""The staff app holds no tables: roles are Django groups and the audit log is the admin's own LogEntry."""
