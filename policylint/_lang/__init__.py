"""Policy text -> AST: parsing with block-level recovery, the AST, resolving extends."""
