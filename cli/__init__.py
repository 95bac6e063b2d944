"""The `tracelens` command line: the one composition root.

Each command resolves the settings, the model in service (a registry alias such as the champion
is resolved once) and the stores here (cli.wiring), and hands them down; nothing below the CLI
looks them up again. Tooling commands (demo-corpus, run, bench, eval) come from devtools, which
plugs into this app through the `tracelens.commands` entry point.
"""
