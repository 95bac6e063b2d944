"""The test-corpus generator: realistic TRACE reports in every layout, with ground truth."""
