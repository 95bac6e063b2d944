"""The `tracelens eval` runners: generated corpora and the independent set loaded into scratch
databases, scored by the evaluation package."""
