"""The open API: actions, targets, petitions, signatures and appeals as JSON, tokens, webhooks."""
