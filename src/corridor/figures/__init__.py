"""Every public figure, computed by one pure implementation from the log's entries (no Django, no database).

The service's public downloads and page figures and `corridor audit` all run this code, so a download at a
checkpoint size is byte for byte what anyone recomputes from the public log at that size. docs/figures.md
defines each figure in words.
"""
