"""The command line: the console script's fast path and the click application."""
