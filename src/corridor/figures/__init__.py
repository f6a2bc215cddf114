"""Every public figure, computed by one pure implementation from the log's entries (no Django, no database):
the service, `corridor audit` and briefings all run it."""
