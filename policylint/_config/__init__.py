"""Configuration: .policylint.toml or [tool.policylint] in pyproject.toml."""
