"""``python -m giftflow``: the ``giftflow`` command, run by this interpreter."""

from giftflow.cli.app import app

app(prog_name="giftflow")
