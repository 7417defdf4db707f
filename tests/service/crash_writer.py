"""A writer process for ``test_crash_safety``: gifts through the engine until stopped or killed.

Run as ``python crash_writer.py URL RUN``. It opens ``Ledger.open(URL)``, creates the
platform accounts and the funded viewer wallets unless they exist, then sends gifts from
``THREADS`` threads. A request holds ``PAIRS_PER_REQUEST`` gifts, each a linked pair:
coins from a viewer's wallet into the gift revenue, diamonds from the issuance to the
creator. Once a request's durable answer is in, it prints ``ack`` and the request's
transfer ids on one line (short enough for the pipe to write it whole). A line on stdin,
or its end, stops it normally: the threads finish, the ledger closes, it prints
``stopped``. Anything unexpected is printed as an ``error`` line.

The ids of run RUN start at ``RUN * RUN_SPAN``. A gift is an even id and the odd one
after it, so the other half of a gift transfer ``i`` is ``i ^ 1``.
"""

from __future__ import annotations

import sys
import threading

from giftflow.ledger import (
    COIN,
    DIAMOND,
    Account,
    AccountFlags,
    AccountId,
    Transfer,
    TransferFlags,
    TransferId,
    TransferResultCode,
)
from giftflow.service import Ledger

THREADS = 8
PAIRS_PER_REQUEST = 4
VIEWERS = 64
FIRST_VIEWER = 100
WALLET_COINS = 10**12
ISSUANCE = AccountId(1)
GIFT_REVENUE = AccountId(2)
DIAMOND_ISSUANCE = AccountId(3)
CREATOR = AccountId(4)
FUNDING, GIFT_COINS, GIFT_DIAMONDS = 1, 2, 3
"""Transfer codes; the test knows the two gift codes as the transfers that come in pairs."""
RUN_SPAN = 10**12
THREAD_SPAN = 10**9

_output = threading.Lock()


def say(line: str) -> None:
    with _output:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def accounts() -> list[Account]:
    wallet = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
    platform = [
        Account(ISSUANCE, COIN, 1),
        Account(GIFT_REVENUE, COIN, 2),
        Account(DIAMOND_ISSUANCE, DIAMOND, 3),
        Account(CREATOR, DIAMOND, 4, owner_id=1, flags=wallet),
    ]
    viewers = [
        Account(viewer(n), COIN, 5, owner_id=viewer(n), flags=wallet) for n in range(VIEWERS)
    ]
    return platform + viewers


def viewer(n: int) -> AccountId:
    return AccountId(FIRST_VIEWER + n % VIEWERS)


def funding() -> list[Transfer]:
    """The same ids on every run: a restart finds them ``exists``."""
    return [
        Transfer(TransferId(1 + n), ISSUANCE, viewer(n), WALLET_COINS, COIN, FUNDING)
        for n in range(VIEWERS)
    ]


def gift(first_id: int, sender: AccountId, coins: int) -> list[Transfer]:
    return [
        Transfer(
            TransferId(first_id),
            sender,
            GIFT_REVENUE,
            coins,
            COIN,
            GIFT_COINS,
            flags=TransferFlags.LINKED,
        ),
        Transfer(
            TransferId(first_id + 1),
            DIAMOND_ISSUANCE,
            CREATOR,
            coins // 2 or 1,
            DIAMOND,
            GIFT_DIAMONDS,
        ),
    ]


def send_gifts(ledger: Ledger, run: int, thread: int, stop: threading.Event) -> None:
    next_id = run * RUN_SPAN + thread * THREAD_SPAN
    sent = 0
    while not stop.is_set():
        request: list[Transfer] = []
        for _ in range(PAIRS_PER_REQUEST):
            request += gift(next_id, viewer(thread + sent), 1 + sent % 50)
            next_id += 2
            sent += 1
        results = ledger.create_transfers(request)
        if any(result.code != TransferResultCode.OK for result in results):
            say(f"error {results}")
            return
        say("ack " + " ".join(str(transfer.id) for transfer in request))


def guarded(ledger: Ledger, run: int, thread: int, stop: threading.Event) -> None:
    try:
        send_gifts(ledger, run, thread, stop)
    except Exception as error:  # the test reads stdout: make the failure visible there
        say(f"error {error!r}")


def main(url: str, run: int) -> None:
    ledger = Ledger.open(url)
    try:
        ready = ledger.create_accounts(accounts())
        funded = ledger.create_transfers(funding())
        if not all(result.ok for result in ready) or not all(r.ok for r in funded):
            say(f"error setting up: {ready} {funded}")
            return
        stop = threading.Event()
        threads = [
            threading.Thread(target=guarded, args=(ledger, run, n, stop)) for n in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        sys.stdin.readline()
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        ledger.close()
    say("stopped")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
