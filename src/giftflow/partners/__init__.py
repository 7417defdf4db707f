"""Payout partners: who turns approved payouts into cash (see base.py)."""
