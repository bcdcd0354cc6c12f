"""read -> scan -> waive -> fix -> report: the Policy facade and its stages."""
