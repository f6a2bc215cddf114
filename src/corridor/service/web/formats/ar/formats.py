"""Arabic number formats beyond Django's: thousands grouped by three ("131.600"), like every other language
the pages speak; the separators stay Django's (decimal ",", thousands ".")."""

NUMBER_GROUPING = 3
