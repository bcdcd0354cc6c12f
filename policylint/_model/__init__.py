"""The record family: posts, findings, reports, errors and rule facts, and the one record base.

The bottom layer: it imports nothing of policylint above it."""
