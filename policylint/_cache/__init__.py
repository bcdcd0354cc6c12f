"""The per-user cache folder and what is kept in it: compiled policies, TOML, regex programs."""
