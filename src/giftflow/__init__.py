"""giftflow: the virtual-gift economy of live streaming on an exact double-entry ledger."""

__version__ = "0.1.0"
