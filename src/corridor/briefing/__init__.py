"""Briefings: a period's figures (corridor.figures.briefing) rendered to HTML and PDF, every figure linked to
the entries it rests on and their inclusion proofs, and checked again by `corridor audit --briefing`."""
