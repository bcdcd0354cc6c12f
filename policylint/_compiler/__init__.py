"""Resolved AST -> executable policy: a pure function (no cache I/O)."""
