"""Appeals: what a supporter writes to a target and sends by email, fax or post."""
