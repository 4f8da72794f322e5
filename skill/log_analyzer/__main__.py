"""`python -m log_analyzer` runs the CLI."""

from .cli.entry import main

main()
