"""Test mode, in development only (404 ``test_mode_unavailable`` elsewhere): the test
clock, and the sandbox provider's own moves on a payment (pay with a test card,
refund, dispute), each a signed sandbox webhook received through the same path as a
real provider's. An administrator's (token, or key with ``admin``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path
from fastapi.responses import Response

from giftflow.http import auth
from giftflow.http.deps import EconomyDep, IdempotentDep, PrincipalDep, StateDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import TOKEN, WebhookOutcomePublic
from giftflow.http.schemas.test_mode import (
    CardAttemptPublic,
    SandboxPay,
    SandboxRefund,
    TestClockAdvance,
    TestClockPublic,
)
from giftflow.service.economy import TestClockView
from giftflow.service.once import Once

router = APIRouter(prefix="/v1", tags=["test mode"], responses=RESPONSES)
PaymentIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=TOKEN)]


@router.get("/test-clock", response_model=TestClockPublic)
def get_test_clock(principal: PrincipalDep, economy: EconomyDep) -> TestClockPublic:
    """The economy's time now, and how far the test clock moved it ahead."""
    auth.require_admin(principal)
    return TestClockPublic.of(economy.test_clock())


@router.post("/test-clock/advance", response_model=TestClockPublic)
def advance_test_clock(
    body: TestClockAdvance,
    principal: PrincipalDep,
    state: StateDep,
    once: IdempotentDep,
) -> Response:
    """Move the economy's clock ``seconds`` forward (never back), for every server
    process on the database. Gifts whose holding period it crosses mature (on the
    next read of earnings, or a payout request); battles and streaks whose time is up
    end now. User tokens expire by this clock too."""
    auth.require_admin(principal)
    economy = state.economy

    def advance(key: Once) -> TestClockView:
        return economy.advance_test_clock(body.seconds, once=key)

    answer = once.run(body.model_dump(mode="json"), 200, TestClockPublic.of, advance)
    state.live.end_due_battles()
    economy.end_stale_streaks()
    return answer


@router.post("/sandbox/payments/{payment_id}/pay", response_model=CardAttemptPublic)
def sandbox_pay(
    payment_id: PaymentIdPath,
    principal: PrincipalDep,
    economy: EconomyDep,
    background: BackgroundTasks,
    body: SandboxPay | None = None,
) -> CardAttemptPublic:
    """Try a test card on an open sandbox payment, as its checkout page does: 4242…
    pays (``payment.paid``), the declining cards send ``payment.failed``; a card that
    fails after processing or is disputed later sends that event once this answer is
    out (``follows``). 409 ``payment_closed`` when it is paid already."""
    auth.require_admin(principal)
    number = (body or SandboxPay()).card_number
    attempt = economy.sandbox_try_card(payment_id, number)
    if attempt.later is not None:
        background.add_task(attempt.later)
    return CardAttemptPublic.of(attempt)


@router.post("/sandbox/payments/{payment_id}/refund", response_model=WebhookOutcomePublic)
def sandbox_refund(
    payment_id: PaymentIdPath,
    principal: PrincipalDep,
    economy: EconomyDep,
    body: SandboxRefund | None = None,
) -> WebhookOutcomePublic:
    """The sandbox refunds ``amount_minor`` more of a paid payment (all that is left
    by default): ``payment.refunded``, and the coins are clawed back."""
    auth.require_admin(principal)
    amount = None if body is None else body.amount_minor
    return WebhookOutcomePublic.of(economy.sandbox_refund(payment_id, amount))


@router.post("/sandbox/payments/{payment_id}/dispute", response_model=WebhookOutcomePublic)
def sandbox_dispute(
    payment_id: PaymentIdPath, principal: PrincipalDep, economy: EconomyDep
) -> WebhookOutcomePublic:
    """The card holder disputes a paid sandbox payment: ``payment.disputed``, a
    chargeback (coins clawed back, the wallet frozen)."""
    auth.require_admin(principal)
    return WebhookOutcomePublic.of(economy.sandbox_dispute(payment_id))
