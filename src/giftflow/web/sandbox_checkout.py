"""The sandbox's hosted checkout page, served by giftflow in development only.

A sandbox purchase's ``checkout_url`` leads here (``/sandbox/checkout/<payment id>``):
the page shows what is bought and takes a test card (``giftflow.payments.test_cards``).
On submit the server plays the sandbox's servers: it signs the provider's webhook and
receives it through the one verified, idempotent path of every provider event
(``Economy.sandbox_try_card``), then sends the buyer back to the page, which shows the
payment as the API has it (paid, or failed with its code). A card that fails after
processing, or is disputed later, sends that event once the answer is out.

The payment's id is random, as a real provider's checkout address is: whoever has the
address may pay it, with test cards only. Outside development (or without the sandbox)
every address here is 404. Plain HTML, no script: one form, an inline style, and a
refresh while a payment is processing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Final

from fastapi import APIRouter, BackgroundTasks, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from giftflow.economy.errors import NotFoundError
from giftflow.errors import GiftflowError
from giftflow.http.deps import state_of
from giftflow.http.schemas import TOKEN
from giftflow.payments.sandbox import CHECKOUT_PATH
from giftflow.payments.test_cards import TEST_CARDS, CardOutcome, normalised_number
from giftflow.render.charts import esc
from giftflow.service.economy import Economy, Payment
from giftflow.service.economy.sandbox_payments import sandbox_payment

router = APIRouter(prefix=CHECKOUT_PATH, include_in_schema=False)
PaymentIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=TOKEN)]
POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none';"
    " frame-ancestors 'none'"
)
_EXPIRY: Final = re.compile(r"^\s*(0[1-9]|1[0-2])\s*/\s*([0-9]{2})\s*$")
_CVC: Final = re.compile(r"^[0-9]{3,4}$")
_HEADLINES: Final = {
    "created": "Pay with a test card",
    "failed": "The payment failed",
    "paid": "Payment succeeded",
    "refunded": "Payment refunded",
    "disputed": "Payment disputed",
}
CSS: Final = """
body { margin: 0; background: #f5f6fa; color: #1f2430;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 560px; margin: 32px auto; padding: 24px; background: #fff;
  border: 1px solid #e3e6ee; border-radius: 12px; }
.banner { background: #fff7e6; border: 1px solid #f5c26b; border-radius: 8px;
  padding: 6px 10px; font-size: 0.85rem; }
h1 { font-size: 1.4rem; margin: 16px 0 4px; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
dt { color: #5b6272; } dd { margin: 0; font-variant-numeric: tabular-nums; }
label { display: block; margin: 10px 0 4px; font-weight: 600; }
input { width: 100%; padding: 8px; font: inherit; border: 1px solid #c9cedb;
  border-radius: 6px; box-sizing: border-box; }
button { margin-top: 16px; width: 100%; padding: 10px; font: inherit; font-weight: 650;
  color: #fff; background: #2563eb; border: 0; border-radius: 6px; cursor: pointer; }
.error { color: #b91c1c; font-weight: 600; } .ok { color: #047857; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-top: 8px; }
td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e3e6ee; }
code { font-size: 0.85rem; }
"""


@router.get("/{payment_id}", response_class=HTMLResponse)
def checkout_page(payment_id: PaymentIdPath, request: Request, processing: int = 0) -> Response:
    economy = state_of(request).economy
    try:
        payment = sandbox_payment(economy.context, payment_id)
    except GiftflowError as error:
        return _absent(error)
    pending = bool(processing) and payment.state == "created"
    return _page(payment, economy, processing=pending)


@router.post("/{payment_id}", response_class=HTMLResponse)
def submit_card(
    payment_id: PaymentIdPath,
    request: Request,
    background: BackgroundTasks,
    card_number: Annotated[str, Form(max_length=32)] = "",
    expiry: Annotated[str, Form(max_length=16)] = "",
    cvc: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    economy = state_of(request).economy
    try:
        payment = sandbox_payment(economy.context, payment_id)
    except GiftflowError as error:
        return _absent(error)
    problem = _card_problem(card_number, expiry, cvc, economy.context.today())
    if problem is not None:
        return _page(payment, economy, error=problem, status_code=422)
    try:
        attempt = economy.sandbox_try_card(payment_id, card_number)
    except GiftflowError as error:  # paid meanwhile (another tab), or not a test card
        return _page(economy.payment(payment_id), economy, error=error.message, status_code=409)
    if attempt.later is not None:
        background.add_task(attempt.later)
    processing = attempt.card.outcome == CardOutcome.FAILS_AFTER_PROCESSING
    target = f"{CHECKOUT_PATH}/{payment_id}" + ("?processing=1" if processing else "")
    return RedirectResponse(target, status_code=303, background=background)


def _card_problem(number: str, expiry: str, cvc: str, today: date) -> str | None:
    """What a card form gets wrong, as a provider's page says it (None: nothing)."""
    digits = normalised_number(number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return "Your card number is incomplete."
    if all(card.number != digits for card in TEST_CARDS):
        return "Your card number is not a test card: use one of the cards below."
    found = _EXPIRY.match(expiry)
    if found is None:
        return "Your card's expiry date is incomplete (MM/YY)."
    month, year = int(found[1]), 2000 + int(found[2])
    if (year, month) < (today.year, today.month):
        return "Your card's expiry year is in the past."
    if not _CVC.match(cvc.strip()):
        return "Your card's security code is incomplete."
    return None


def _page(
    payment: Payment,
    economy: Economy,
    *,
    processing: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    state = payment.state
    headline = "Processing your payment…" if processing else _HEADLINES[state]
    parts = [
        '<p class="banner">giftflow sandbox: test mode, no real money moves.</p>',
        f'<h1 data-state="{esc(state)}">{esc(headline)}</h1>',
        _summary(payment, economy),
        _status(payment, processing=processing, error=error),
    ]
    if state in ("created", "failed") and not processing:
        parts += [_form(payment), _cards()]
    head = '<meta http-equiv="refresh" content="1">' if processing else ""
    return _html(" ".join(parts), head=head, status_code=status_code)


def _summary(payment: Payment, economy: Economy) -> str:
    pack = payment.pack_id or "custom amount"
    created = datetime.fromtimestamp(payment.created_at // 1_000_000_000, UTC)
    rows = (
        ("Coins", f"{payment.coins:,}"),
        ("Pack", pack),
        ("Price", str(payment.price)),
        ("Buyer", f"user {payment.user_id} ({economy.catalog.region(payment.region).name})"),
        ("Payment", payment.id),
        ("Opened", created.strftime("%Y-%m-%d %H:%M UTC")),
    )
    cells = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in rows)
    return f"<dl>{cells}</dl>"


def _status(payment: Payment, *, processing: bool, error: str | None) -> str:
    if error is not None:
        return f'<p class="error" role="alert">{esc(error)}</p>'
    if processing:
        return '<p role="status">The card was accepted for processing; this page refreshes.</p>'
    if payment.state == "failed":
        code = esc(payment.failure_code or "")
        message = esc(payment.failure_message or "")
        return (
            f'<p class="error" role="alert" data-failure-code="{code}">{message}'
            f" (<code>{code}</code>). Try another card.</p>"
        )
    if payment.state == "paid":
        return f'<p class="ok" role="status">{payment.coins:,} coins are in the wallet.</p>'
    if payment.state in ("refunded", "disputed"):
        clawed = f"{payment.coins_clawed_back:,} coins were taken back."
        return f'<p role="status">{esc(clawed)}</p>'
    return ""


def _form(payment: Payment) -> str:
    action = f"{CHECKOUT_PATH}/{payment.id}"
    return (
        f'<form method="post" action="{esc(action)}">'
        '<label for="card_number">Card number</label>'
        '<input id="card_number" name="card_number" inputmode="numeric"'
        ' autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>'
        '<label for="expiry">Expiry (MM/YY)</label>'
        '<input id="expiry" name="expiry" placeholder="12/34" required>'
        '<label for="cvc">CVC</label>'
        '<input id="cvc" name="cvc" inputmode="numeric" placeholder="123" required>'
        f'<button type="submit">Pay {esc(str(payment.price))}</button></form>'
    )


def _cards() -> str:
    rows = "".join(
        f"<tr><td><code>{card.number}</code></td><td>{esc(card.outcome.value)}</td>"
        f"<td>{esc(card.failure_code or '')}</td></tr>"
        for card in TEST_CARDS
    )
    return (
        "<details open><summary>Test cards (any future expiry, any CVC)</summary>"
        f"<table><tr><th>number</th><th>outcome</th><th>failure code</th></tr>{rows}</table>"
        "</details>"
    )


def _absent(error: GiftflowError) -> HTMLResponse:
    """404 for a payment that is not the sandbox's, or outside development."""
    status = 404 if isinstance(error, NotFoundError) else 422
    body = f'<h1>No sandbox checkout here</h1><p class="error">{esc(error.message)}</p>'
    return _html(body, status_code=status)


def _html(body: str, *, head: str = "", status_code: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>giftflow sandbox checkout</title>{head}<style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    headers = {"Content-Security-Policy": POLICY, "Cache-Control": "no-store"}
    return HTMLResponse(document, status_code=status_code, headers=headers)
