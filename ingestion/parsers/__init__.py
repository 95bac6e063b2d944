"""TRACE report parsers, one module per layout."""
