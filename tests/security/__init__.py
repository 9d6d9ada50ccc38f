"""Security: headers, deploy checks, backup and restore."""
