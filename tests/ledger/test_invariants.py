"""Random work on a ``Book``, checked against a small model kept in plain dictionaries.

The model below is written from the ledger's documented rules (TigerBeetle's transfer
semantics, the result codes), not from its code: it predicts every result code and every
balance counter. The invariants that must hold whatever happened are checked after every
step, on the book itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from giftflow.ledger import (
    COIN,
    DIAMOND,
    INT64_MAX,
    Account,
    AccountFlags,
    AccountId,
    Book,
    ManualClock,
    Transfer,
    TransferFlags,
    TransferId,
    TransferResult,
    TransferResultCode,
    UnitCode,
)
from tests.ledger.builders import LIMITED, LINKED, PENDING, POST, VOID, WALLET, Code

NS_PER_S = 1_000_000_000

ACCOUNTS: dict[int, tuple[UnitCode, int]] = {
    1: (COIN, AccountFlags.NONE),  # the coin house: may go negative
    2: (COIN, WALLET),
    3: (COIN, WALLET),
    4: (DIAMOND, AccountFlags.NONE),
    5: (DIAMOND, WALLET),
    6: (DIAMOND, LIMITED),
}
COIN_HOUSE, COIN_WALLETS, DIAMOND_HOUSE, DIAMOND_WALLET = 1, (2, 3), 4, 5
MISSING_ACCOUNT = 99
UNKNOWN_TRANSFER = 10**12
ACCOUNT_IDS = [*ACCOUNTS, MISSING_ACCOUNT]
PENDING_OPEN, POSTED, VOIDED, EXPIRED = "pending", "posted", "voided", "expired"
# debits_pending, debits_posted, credits_pending, credits_posted
DP, DPOST, CP, CPOST = range(4)
Expected = tuple[TransferResultCode, str | None]

amounts = st.integers(1, 300)
odd_amounts = st.sampled_from([0, -1, 2**62, INT64_MAX, INT64_MAX + 1])
invalid_ids = st.sampled_from([0, -1, INT64_MAX + 1])


def one_in(data: st.DataObject, count: int) -> bool:
    """True about once in ``count`` draws (and never, once Hypothesis shrinks it)."""
    return data.draw(st.integers(1, count)) == count


class RejectedError(Exception):
    def __init__(self, code: TransferResultCode, detail: str | None = None) -> None:
        self.code = code
        self.detail = detail


@dataclass
class Reserve:
    """What the model knows of one pending transfer."""

    debit: int
    credit: int
    amount: int
    code: int
    timeout_s: int
    status: str = PENDING_OPEN
    expires_at_ns: int = 0
    posted: int = 0


@dataclass
class Stored:
    """A transfer the model accepted: what was asked and what the ledger filled in."""

    request: Transfer
    debit: int
    credit: int
    amount: int
    unit: str
    code: int
    timestamp: int = 0


@dataclass
class Model:
    balances: dict[int, list[int]] = field(
        default_factory=lambda: {account_id: [0, 0, 0, 0] for account_id in ACCOUNTS}
    )
    frozen: set[int] = field(default_factory=set)
    stored: dict[int, Stored] = field(default_factory=dict)
    reserves: dict[int, Reserve] = field(default_factory=dict)

    def expire(self, now_ns: int) -> None:
        for reserve in self.reserves.values():
            if reserve.status == PENDING_OPEN and 0 < reserve.expires_at_ns <= now_ns:
                self.balances[reserve.debit][DP] -= reserve.amount
                self.balances[reserve.credit][CP] -= reserve.amount
                reserve.status = EXPIRED

    def apply(self, request: Transfer) -> Code:
        """Apply one transfer to the model; raises ``RejectedError`` with the expected code."""
        if not 0 < request.id <= INT64_MAX:
            raise RejectedError(Code.ID_INVALID)
        if request.id in self.stored:
            return self.compare(request, self.stored[request.id])
        if request.flags & (POST | VOID):
            self.close(request)
        else:
            self.move(request)
        return Code.OK

    def compare(self, request: Transfer, stored: Stored) -> Code:
        closing = bool(request.flags & (POST | VOID))
        given = {
            "debit_account_id": (request.debit_account_id, stored.debit),
            "credit_account_id": (request.credit_account_id, stored.credit),
            "amount": (request.amount, stored.amount),
            "unit": (request.unit, stored.unit),
            "code": (request.code, stored.code),
            "flags": (request.flags, stored.request.flags),
            "pending_id": (request.pending_id, stored.request.pending_id),
            "timeout_s": (request.timeout_s, stored.request.timeout_s),
        }
        for name, (asked, kept) in given.items():
            omitted = closing and not asked and name != "flags"
            if asked != kept and not omitted:
                raise RejectedError(Code.EXISTS_WITH_DIFFERENT_FIELDS, name)
        return Code.EXISTS

    def check_accounts(self, request: Transfer) -> None:
        """The refusals about the transfer's shape and accounts, in the ledger's order."""
        debit, credit = request.debit_account_id, request.credit_account_id
        if not 0 < request.amount <= INT64_MAX:
            raise RejectedError(Code.AMOUNT_INVALID)
        if debit == credit:
            raise RejectedError(Code.ACCOUNTS_MUST_BE_DIFFERENT)
        sides = (("debit_account_id", debit), ("credit_account_id", credit))
        for side, account_id in sides:
            if account_id not in ACCOUNTS:
                raise RejectedError(Code.ACCOUNT_NOT_FOUND, side)
        for side, account_id in sides:
            if ACCOUNTS[account_id][0] != request.unit:
                raise RejectedError(Code.UNIT_MISMATCH, side)
        for side, account_id in sides:
            if account_id in self.frozen:
                raise RejectedError(Code.ACCOUNT_FROZEN, side)

    def check_limits(self, request: Transfer) -> None:
        """The refusals about balances: funds, the credit limit, overflow."""
        amount, debit, credit = request.amount, request.debit_account_id, request.credit_account_id
        paying, paid = self.balances[debit], self.balances[credit]
        debits_after = paying[DP] + paying[DPOST] + amount
        credits_after = paid[CP] + paid[CPOST] + amount
        if ACCOUNTS[debit][1] & WALLET and debits_after > paying[CPOST]:
            raise RejectedError(Code.INSUFFICIENT_FUNDS, "debit_account_id")
        if ACCOUNTS[credit][1] & LIMITED and credits_after > paid[DPOST]:
            raise RejectedError(Code.EXCEEDS_DEBITS, "credit_account_id")
        if debits_after > INT64_MAX:
            raise RejectedError(Code.OVERFLOW, "debit_account_id")
        if credits_after > INT64_MAX:
            raise RejectedError(Code.OVERFLOW, "credit_account_id")

    def move(self, request: Transfer) -> None:
        self.check_accounts(request)
        self.check_limits(request)
        amount, debit, credit = request.amount, request.debit_account_id, request.credit_account_id
        paying, paid = self.balances[debit], self.balances[credit]
        pending = bool(request.flags & PENDING)
        paying[DP if pending else DPOST] += amount
        paid[CP if pending else CPOST] += amount
        self.stored[request.id] = Stored(request, debit, credit, amount, request.unit, request.code)
        if pending:
            self.reserves[request.id] = Reserve(
                debit, credit, amount, request.code, request.timeout_s
            )

    def close(self, request: Transfer) -> None:
        reserve = self.reserves.get(request.pending_id)
        if reserve is None:
            raise RejectedError(Code.PENDING_NOT_FOUND)
        if reserve.status != PENDING_OPEN:
            raise RejectedError(Code.PENDING_ALREADY_CLOSED, reserve.status)
        posting = bool(request.flags & POST)
        amount = request.amount or reserve.amount
        if amount < 0:
            raise RejectedError(Code.AMOUNT_INVALID)
        if amount > reserve.amount:
            raise RejectedError(Code.EXCEEDS_PENDING_AMOUNT)
        if not posting and amount != reserve.amount:
            raise RejectedError(Code.PENDING_MISMATCH, "amount")
        if posting:
            for side, account_id in (
                ("debit_account_id", reserve.debit),
                ("credit_account_id", reserve.credit),
            ):
                if account_id in self.frozen:
                    raise RejectedError(Code.ACCOUNT_FROZEN, side)
        self.balances[reserve.debit][DP] -= reserve.amount
        self.balances[reserve.credit][CP] -= reserve.amount
        if posting:
            self.balances[reserve.debit][DPOST] += amount
            self.balances[reserve.credit][CPOST] += amount
            reserve.posted = amount
        reserve.status = POSTED if posting else VOIDED
        unit = ACCOUNTS[reserve.debit][0]
        code = request.code or reserve.code
        self.stored[request.id] = Stored(request, reserve.debit, reserve.credit, amount, unit, code)


def split_chains(batch: list[Transfer]) -> list[list[Transfer]]:
    chains: list[list[Transfer]] = [[]]
    for transfer in batch:
        chains[-1].append(transfer)
        if not transfer.flags & LINKED:
            chains.append([])
    return [chain for chain in chains if chain]


def expected_chain(model: Model, chain: list[Transfer]) -> tuple[Model, list[Expected]]:
    """The model after ``chain`` (unchanged if any member fails) and each member's result."""
    trial = copy.deepcopy(model)
    expected: list[Expected] = []
    for position, transfer in enumerate(chain):
        try:
            if position == len(chain) - 1 and transfer.flags & LINKED:
                raise RejectedError(Code.LINKED_EVENT_CHAIN_OPEN)
            expected.append((trial.apply(transfer), None))
        except RejectedError as failure:
            failed: list[Expected] = [(Code.LINKED_EVENT_FAILED, None)] * len(chain)
            failed[position] = (failure.code, failure.detail)
            return model, failed
    return trial, expected


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.book = Book(self.clock)
        self.model = Model()
        self.next_id = 1
        self.last_timestamp = 0
        results = self.book.create_accounts(
            [
                Account(id=AccountId(account_id), unit=unit, code=1, flags=flags)
                for account_id, (unit, flags) in ACCOUNTS.items()
            ]
        )
        assert all(result.ok for result in results)

    # Drawing requests ---------------------------------------------------------------

    def new_id(self, data: st.DataObject) -> int:
        if one_in(data, 25):
            return data.draw(invalid_ids)
        self.next_id += 1
        return self.next_id

    def draw_move(self, data: st.DataObject, flags: int) -> Transfer:
        unit = data.draw(st.sampled_from([COIN, DIAMOND]))
        if one_in(data, 8):  # anything goes: a missing account, mixed units, itself
            debit = data.draw(st.sampled_from(ACCOUNT_IDS))
            credit = data.draw(st.sampled_from(ACCOUNT_IDS))
        else:
            same_unit = [i for i, (account_unit, _) in ACCOUNTS.items() if account_unit == unit]
            debit, credit = data.draw(st.permutations(same_unit))[:2]
        timeout_s = data.draw(st.sampled_from([0, 0, 0, 5, 30])) if flags & PENDING else 0
        return Transfer(
            id=TransferId(self.new_id(data)),
            debit_account_id=AccountId(debit),
            credit_account_id=AccountId(credit),
            amount=data.draw(odd_amounts if one_in(data, 10) else amounts),
            unit=unit,
            code=data.draw(st.integers(1, 3)),
            flags=flags,
            timeout_s=timeout_s,
        )

    def draw_close(self, data: st.DataObject, flags: int) -> Transfer:
        open_ids = [
            i for i, reserve in self.model.reserves.items() if reserve.status == PENDING_OPEN
        ]
        if open_ids and not one_in(data, 5):
            pending_id = data.draw(st.sampled_from(open_ids))
        else:
            pending_id = data.draw(st.sampled_from([*self.model.stored, UNKNOWN_TRANSFER]))
        reserve = self.model.reserves.get(pending_id)
        full = reserve.amount if reserve else 10
        amount = data.draw(
            st.sampled_from([0, 0, 0, 0, full, full, max(full // 2, 1), 1, full + 1, -1])
        )
        return Transfer(
            id=TransferId(self.new_id(data)),
            debit_account_id=AccountId(0),
            credit_account_id=AccountId(0),
            amount=amount,
            unit=UnitCode(""),
            code=data.draw(st.sampled_from([0, reserve.code if reserve else 0])),
            flags=flags,
            pending_id=TransferId(pending_id),
        )

    def draw_replay(self, data: st.DataObject, *, changed: bool) -> Transfer | None:
        if not self.model.stored:
            return None
        stored = self.model.stored[data.draw(st.sampled_from(sorted(self.model.stored)))]
        request = stored.request
        if not changed:
            return request
        if data.draw(st.booleans()) and not request.flags & (POST | VOID):
            return request._replace(amount=stored.amount + 1)
        return request._replace(code=stored.code + 1)

    def draw_member(self, data: st.DataObject) -> Transfer:
        kind = data.draw(
            st.sampled_from(
                [
                    "move",
                    "move",
                    "move",
                    "pending",
                    "pending",
                    "post",
                    "post",
                    "void",
                    "replay",
                    "changed",
                ]
            )
        )
        replay = None
        if kind in ("replay", "changed"):
            replay = self.draw_replay(data, changed=kind == "changed")
        if replay is not None:
            return replay
        if kind == "post":
            return self.draw_close(data, POST)
        if kind == "void":
            return self.draw_close(data, VOID)
        return self.draw_move(data, PENDING if kind == "pending" else TransferFlags.NONE)

    def draw_batch(self, data: st.DataObject) -> list[Transfer]:
        batch: list[Transfer] = []
        for _ in range(data.draw(st.integers(1, 2))):
            size = data.draw(st.sampled_from([1, 1, 2, 3]))
            for position in range(size):
                member = self.draw_member(data)
                last = position == size - 1
                # A chain's last member is unlinked, unless we leave it open on purpose.
                link = not last or one_in(data, 25)
                flags = member.flags | LINKED if link else member.flags & ~LINKED
                batch.append(member._replace(flags=flags))
        return batch

    # Rules ----------------------------------------------------------------------------

    @initialize(amounts=st.lists(st.integers(0, 1000), min_size=2, max_size=2))
    def fund_the_wallets(self, amounts: list[int]) -> None:
        coins, diamonds = amounts
        self.submit(
            [
                self.fund(COIN_HOUSE, COIN_WALLETS[0], coins, COIN),
                self.fund(COIN_HOUSE, COIN_WALLETS[1], coins // 2, COIN),
                self.fund(DIAMOND_HOUSE, DIAMOND_WALLET, diamonds, DIAMOND),
            ]
        )

    def fund(self, debit: int, credit: int, amount: int, unit: UnitCode) -> Transfer:
        self.next_id += 1
        return Transfer(
            TransferId(self.next_id), AccountId(debit), AccountId(credit), amount, unit, code=1
        )

    @rule(data=st.data())
    def create_transfers(self, data: st.DataObject) -> None:
        self.submit(self.draw_batch(data))

    def submit(self, batch: list[Transfer]) -> None:
        """Submit ``batch`` to the book and check every result against the model."""
        self.model.expire(self.clock.now_ns())
        log_before = len(self.book.log)
        results = self.book.create_transfers(batch)
        assert len(results) == len(batch)
        position = 0
        for chain in split_chains(batch):
            chain_results = results[position : position + len(chain)]
            self.model, expected = expected_chain(self.model, chain)
            assert [(result.code, result.detail) for result in chain_results] == expected, chain
            self.check_all_or_nothing(chain_results)
            for transfer, result in zip(chain, chain_results, strict=True):
                self.record(transfer, result.code, result.timestamp)
            position += len(chain)
        applied = [
            transfer.id
            for transfer, result in zip(batch, results, strict=True)
            if result.code is Code.OK
        ]
        assert [transfer.id for transfer in self.book.log[log_before:]] == applied

    @rule(data=st.data())
    def replay_alone_changes_nothing(self, data: st.DataObject) -> None:
        unlinked = sorted(
            transfer_id
            for transfer_id, stored in self.model.stored.items()
            if not stored.request.flags & LINKED
        )
        if not unlinked:
            return
        stored = self.model.stored[data.draw(st.sampled_from(unlinked))]
        self.model.expire(self.clock.now_ns())
        self.book.create_transfers([])  # settle expiries first, so only the replay acts
        before = self.counters()
        log_before = list(self.book.log)
        (result,) = self.book.create_transfers([stored.request])
        assert (result.code, result.timestamp) == (Code.EXISTS, stored.timestamp)
        assert self.counters() == before
        assert self.book.log == log_before

    @rule(data=st.data())
    def void_restores_the_balance(self, data: st.DataObject) -> None:
        open_ids = sorted(
            pending_id
            for pending_id, reserve in self.model.reserves.items()
            if reserve.status == PENDING_OPEN
        )
        if not open_ids:
            return
        self.model.expire(self.clock.now_ns())
        self.book.create_transfers([])
        pending_id = data.draw(st.sampled_from(open_ids))
        reserve = self.model.reserves[pending_id]
        if reserve.status != PENDING_OPEN:
            return  # it expired just now
        before = self.counters()
        void = Transfer(
            id=TransferId(self.new_id(data)),
            debit_account_id=AccountId(0),
            credit_account_id=AccountId(0),
            amount=0,
            unit=UnitCode(""),
            code=0,
            flags=VOID,
            pending_id=TransferId(pending_id),
        )
        self.model, ((code, _),) = expected_chain(self.model, [void])
        (result,) = self.book.create_transfers([void])
        assert result.code is code
        self.record(void, result.code, result.timestamp)
        if code is Code.OK:
            before[reserve.debit][DP] -= reserve.amount
            before[reserve.credit][CP] -= reserve.amount
            assert self.counters() == before

    @rule(seconds=st.sampled_from([0, 1, 4, 6, 31]), ns=st.integers(0, 5))
    def advance_clock(self, seconds: int, ns: int) -> None:
        self.clock.advance(seconds=seconds, ns=ns)

    @rule(account_id=st.sampled_from(ACCOUNT_IDS), data=st.data())
    def freeze_or_unfreeze(self, account_id: int, data: st.DataObject) -> None:
        frozen = one_in(data, 3)  # mostly thaw, so that frozen accounts do not pile up
        result = self.book.set_frozen(AccountId(account_id), frozen=frozen)
        assert result.ok is (account_id in ACCOUNTS)
        if account_id not in ACCOUNTS:
            return
        if frozen:
            self.model.frozen.add(account_id)
        else:
            self.model.frozen.discard(account_id)
        account = self.book.account(AccountId(account_id))
        assert account is not None
        assert account.frozen is frozen

    # Bookkeeping ------------------------------------------------------------------------

    def record(self, transfer: Transfer, code: Code, timestamp: int) -> None:
        """Note the timestamp the ledger gave an applied transfer (expiry counts from it)."""
        if code is Code.EXISTS:
            assert timestamp == self.model.stored[transfer.id].timestamp
        if code is not Code.OK:
            return
        assert timestamp > self.last_timestamp
        self.last_timestamp = timestamp
        self.model.stored[transfer.id].timestamp = timestamp
        reserve = self.model.reserves.get(transfer.id)
        if reserve is not None and reserve.timeout_s:
            reserve.expires_at_ns = timestamp + reserve.timeout_s * NS_PER_S

    def counters(self) -> dict[int, list[int]]:
        return {
            account_id: list(self.book.balances[AccountId(account_id)].counters())
            for account_id in ACCOUNTS
        }

    def check_all_or_nothing(self, results: list[TransferResult]) -> None:
        if all(result.ok for result in results):
            return
        assert not any(result.ok for result in results)
        own_codes = [result for result in results if result.code is not Code.LINKED_EVENT_FAILED]
        assert len(own_codes) == 1

    # Invariants -------------------------------------------------------------------------

    @invariant()
    def balances_match_the_model(self) -> None:
        assert self.counters() == self.model.balances

    @invariant()
    def each_unit_sums_to_zero(self) -> None:
        totals = {unit: [0, 0, 0, 0] for unit in (COIN, DIAMOND)}
        for account_id, (unit, _) in ACCOUNTS.items():
            account = self.book.account(AccountId(account_id))
            assert account is not None
            totals[unit][DP] += account.debits_pending
            totals[unit][DPOST] += account.debits_posted
            totals[unit][CP] += account.credits_pending
            totals[unit][CPOST] += account.credits_posted
        for unit_totals in totals.values():
            assert unit_totals[DPOST] == unit_totals[CPOST]
            assert unit_totals[DP] == unit_totals[CP]

    @invariant()
    def limited_accounts_stay_within_their_limits(self) -> None:
        for account_id, (_, flags) in ACCOUNTS.items():
            account = self.book.account(AccountId(account_id))
            assert account is not None
            assert min(account.debits_pending, account.debits_posted) >= 0
            assert min(account.credits_pending, account.credits_posted) >= 0
            if flags & WALLET:
                debits = account.debits_pending + account.debits_posted
                assert debits <= account.credits_posted
            if flags & LIMITED:
                credits = account.credits_pending + account.credits_posted
                assert credits <= account.debits_posted

    @invariant()
    def a_pending_transfer_never_releases_more_than_it_reserved(self) -> None:
        posted: dict[int, int] = {}
        closings: dict[int, int] = {}
        for transfer in self.book.log:
            if transfer.flags & (POST | VOID):
                closings[transfer.pending_id] = closings.get(transfer.pending_id, 0) + 1
            if transfer.flags & POST:
                posted[transfer.pending_id] = posted.get(transfer.pending_id, 0) + transfer.amount
        for pending_id, state in self.book.pendings.items():
            reserve = self.model.reserves[pending_id]
            assert state.status == reserve.status, pending_id
            still_pending = state.transfer.amount if state.status == PENDING_OPEN else 0
            assert posted.get(pending_id, 0) + still_pending <= state.transfer.amount
            assert posted.get(pending_id, 0) == reserve.posted
            assert closings.get(pending_id, 0) == (state.status in (POSTED, VOIDED))
        assert self.book.pendings.keys() == self.model.reserves.keys()

    @invariant()
    def the_log_is_in_timestamp_order(self) -> None:
        timestamps = [transfer.timestamp for transfer in self.book.log]
        assert timestamps == sorted(set(timestamps))

    @invariant()
    def the_book_reconciles(self) -> None:
        report = self.book.reconcile()
        assert report.ok, (report.mismatches, report.problems)


def test_random_work_keeps_the_ledger_balanced_and_matches_the_model() -> None:
    run_state_machine_as_test(  # type: ignore[no-untyped-call]  # unannotated in Hypothesis
        LedgerMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
