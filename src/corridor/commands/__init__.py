"""One module per `corridor` command family; each adds its parser and handler."""
