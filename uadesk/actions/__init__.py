"""Actions: campaigns, Urgent Actions, the people they are about, their targets and model letters."""
