"""The economy's errors: each a ``GiftflowError`` with a stable code and its facts."""

from __future__ import annotations

from giftflow.errors import GiftflowError


class EconomyError(GiftflowError):
    code = "economy_error"


class NotFoundError(EconomyError):
    """Something named by id does not exist (``code`` names what)."""

    code = "not_found"


class UserNotFoundError(NotFoundError):
    code = "user_not_found"


class UserExistsError(EconomyError):
    code = "user_exists"


class AgeRestrictedError(EconomyError):
    """Senders and receivers of gifts, and creators cashing out, must be adults."""

    code = "age_restricted"


class SelfGiftingError(EconomyError):
    code = "self_gifting"


class NotACreatorError(EconomyError):
    code = "not_a_creator"


class AccountFrozenError(EconomyError):
    code = "account_frozen"


class InsufficientFundsError(EconomyError):
    code = "insufficient_funds"


class StreakError(EconomyError):
    """A streak event that does not continue its streak (``code`` says how)."""

    code = "streak_invalid"


class VelocityLimitedError(EconomyError):
    code = "velocity_limited"


class PaymentNotFoundError(NotFoundError):
    code = "payment_not_found"


class PaymentMismatchError(EconomyError):
    """A provider event that disagrees with the payment it names (amount, currency)."""

    code = "payment_mismatch"


class PayoutError(EconomyError):
    """A payout that breaks a rule (``code`` names the rule)."""

    code = "payout_invalid"


class PayoutNotFoundError(NotFoundError):
    code = "payout_not_found"


class LedgerRejectedError(EconomyError):
    """The ledger refused a transfer for a reason the domain did not foresee."""

    code = "ledger_rejected"


class TestModeUnavailableError(NotFoundError):
    """A test-mode operation (test clock, sandbox checkout) in an economy that is not
    ``development``, or without the sandbox: it does not exist there."""

    __test__ = False  # not a pytest class, whatever its name
    code = "test_mode_unavailable"
