"""Services: what the interfaces (API, CLI, web) call; the engine and the embedding API."""

from giftflow.service.engine import LedgerEngine
from giftflow.service.ledger import Ledger

__all__ = ["Ledger", "LedgerEngine"]
