"""`python -m spbe_engine` runs the CLI."""

from .cli.main import run

run()
