"""`python -m log_analyzer` runs the CLI."""

from .cli.app import main

main()
