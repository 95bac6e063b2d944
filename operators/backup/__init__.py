"""The PostgresBackup/PostgresRestore operator (kopf), calling the core.backup library.

Run it with `python -m operators.backup`; it needs the `operator` extra (kopf, croniter).
"""
