"""policylint's version, in a module of its own so every room can read it without importing
the public surface (``policylint/__init__.py`` re-exports it as ``__version__``)."""

__version__ = "0.1.0"
