"""Kubernetes operators; each sits on top of the product packages and ships as its own image."""
