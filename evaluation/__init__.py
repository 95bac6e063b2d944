"""Retrieval, answer and theme evaluation: metrics and the harnesses that measure the product.

Product code, not tooling: the MLOps gate measures a re-embedded model with the labelled query
set and the retrieval harness here. Building corpora and gold sets is tooling (devtools).
"""
