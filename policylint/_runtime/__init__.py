"""What runs per post: the executable nodes and rules, dispatch, regexes, terms, metrics."""
