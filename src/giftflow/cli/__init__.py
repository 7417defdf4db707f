"""The ``giftflow`` command line (Typer + Rich): one module per command, gathered in
``giftflow.cli.app``."""
