"""The `vskg` command line: one module per command group, the parser and entry point in `main`."""

from kg.cli.main import main

__all__ = ["main"]
