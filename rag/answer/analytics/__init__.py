"""Typed plans compiled to parameterised SQL, and the rows turned into facts with their N."""
