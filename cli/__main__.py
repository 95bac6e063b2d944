"""`python -m cli`: the same as the `tracelens` console script."""

from cli.app import app

app()
