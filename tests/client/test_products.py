"""The products' operations through the client against the real server: each answer
type read from a real answer, a file downloaded through its link, a purchase and its
refund keyed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from giftflow.client import Client, Perk
from tests.api.conftest import ROSE, World
from tests.client.conftest import now_s

ADULT = date(1990, 5, 17)


def test_every_product_operation_answers_its_type(world: World, admin: Client) -> None:
    carol = admin.register_user(
        external_id="carol", display_name="Carol", birth_date=ADULT, region="US", is_creator=True
    ).id
    fan = admin.register_user(external_id="fan", display_name="Fan", birth_date=ADULT, region="US")
    world.buy(fan.id, 500)
    stored = admin.upload_file(carol, "lut.cube", b"LUT 3D", content_type="text/plain")
    assert stored.size_bytes == 6 and [f.id for f in admin.list_files(carol).files] == [stored.id]
    perk = admin.add_file_perk(carol, level=1, file_id=stored.id)
    session = admin.start_session(carol)
    world.gift(fan.id, carol, ROSE, session_id=session.id)
    link = admin.perk_link(perk.id, user_id=fan.id, file_id=stored.id)
    assert admin.download(link.url) == b"LUT 3D"
    start = datetime.fromtimestamp(now_s(world), UTC)
    later = admin.schedule_live(carol, title="Later", starts_at=start + timedelta(days=2))
    early = {"level": 1, "opens_at": (start + timedelta(days=1)).isoformat(), "early_s": 60}
    gate = admin.add_schedule_early_access(carol, later.id, early)
    assert gate.early_access is not None and gate.schedule_id == later.id
    assert {p.id for p in admin.list_delivering_perks(carol).perks} == {perk.id, gate.id}
    admin.remove_perk(gate.id)
    product = admin.create_product(carol, title="LUTs", price_coins=25, file_ids=[stored.id])
    assert admin.get_product(product.id).buy_path == f"/v1/products/{product.id}/purchases"
    assert [p.id for p in admin.list_products(carol, state="active").products] == [product.id]
    assert admin.update_product(product.id, price_coins=30).price_coins == 30
    bought = admin.buy_product(product.id, buyer_id=fan.id, idempotency_key="buy-1")
    assert bought.price_coins == 30 and bought.state == "paid"
    assert admin.get_product_purchase(bought.id).id == bought.id
    assert [p.id for p in admin.list_product_purchases(product.id).purchases] == [bought.id]
    assert [p.id for p in admin.buyer_product_purchases(fan.id).purchases] == [bought.id]
    own = admin.purchase_link(bought.id, file_id=stored.id, ttl_s=120)
    assert admin.download(own.url) == b"LUT 3D"
    refunded = admin.refund_product_purchase(bought.id, idempotency_key="refund-1")
    assert refunded.state == "refunded" and refunded.clawed_back_units == 30 * 5_000
    admin.put_perks(carol, [Perk(level=1, kind="qa_priority")])
    asked = admin.ask_question(session.id, user_id=fan.id, text="Which camera?")
    assert [q.id for q in admin.question_queue(session.id).questions] == [asked.id]
    assert admin.answer_question(asked.id).state == "answered"
    second = admin.ask_question(session.id, user_id=fan.id, text="And the lens?")
    assert admin.skip_question(second.id).state == "skipped"
    assert admin.question_queue(session.id, state="skipped").questions[0].id == second.id
