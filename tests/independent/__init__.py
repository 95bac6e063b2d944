"""Independent TRACE PDF renderer and scorer, written from the format page only.

It tests the product's PDF parser on reports drawn differently from the project's own
generator: `python -m tests.independent --out DIR` writes reports with their expected parse,
`python -m tests.independent.score DIR` runs `tracelens parse --json` on them and compares.
"""
