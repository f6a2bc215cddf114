"""Documents on a plan: a note verbale, a permit, a scanned letter, uploaded by one of the plan's parties,
kept privately by the service, and named on the public log by its SHA-256 in a signed `plan.note`."""
