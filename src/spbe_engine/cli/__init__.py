"""The `spbe` command-line interface."""
