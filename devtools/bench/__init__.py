"""Benchmarks: each prints its figure and its baseline (`tracelens bench ...`)."""
