"""Embedding comments: the Embedder interface, its backends, spaces and batch embedding."""
