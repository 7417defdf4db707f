"""A 422's ``errors`` name the fields the client sent (``body.quantity``), never the
alternative of a union the schema tried (``body.event.quantity``), on every route."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from giftflow.api.routers import ROUTERS
from giftflow.http.problems import client_location
from giftflow.http.schemas.common import BRANCH
from tests.api.conftest import ROSE, World, assert_problem


def _locations(world: World, path: str, body: Any) -> list[str]:
    response = world.post(path, body, world.admin_key, key=world.new_key())
    problem = assert_problem(response, 422, "validation_failed")
    return [error["location"] for error in problem["errors"]]


def test_a_gift_events_errors_name_its_own_fields(world: World) -> None:
    one_off = {"sender_id": 1, "creator_id": 2, "gift_id": ROSE, "event_id": "e", "quantity": 0}
    assert _locations(world, "/v1/gifts", one_off) == ["body.quantity"]
    assert _locations(world, "/v1/gifts", one_off | {"quantity": 1, "colour": "red"}) == [
        "body.colour"
    ]


def test_a_streak_events_errors_name_the_streak_and_the_missing_fields(world: World) -> None:
    streak = {"creator_id": 2, "gift_id": ROSE, "streak": {"id": "s", "repeat_count": 0}}
    assert sorted(_locations(world, "/v1/gifts", streak)) == [
        "body.sender_id",
        "body.streak.repeat_count",
    ]


def test_a_batchs_errors_name_the_item_and_its_field(world: World) -> None:
    good = {"sender_id": 1, "creator_id": 2, "gift_id": ROSE, "event_id": "e"}
    gifts = [good, good | {"gift_id": 0}, 7, {"creator_id": 2, "gift_id": ROSE, "streak": 1}]
    assert _locations(world, "/v1/gifts/batch", {"gifts": gifts}) == [
        "body.gifts.1.gift_id",
        "body.gifts.2",
        "body.gifts.3.sender_id",
        "body.gifts.3.streak",
    ]


def test_a_purchases_errors_name_its_own_fields(world: World) -> None:
    custom = {"user_id": 1, "channel": "web", "provider": "sandbox", "coins": "100"}
    assert _locations(world, "/v1/purchases", custom) == ["body.coins"]
    pack = custom | {"coins": None, "pack_id": 7}
    del pack["coins"]
    assert _locations(world, "/v1/purchases", pack) == ["body.pack_id"]
    assert _locations(world, "/v1/purchases", [custom]) == ["body"]


def test_a_key_the_client_sent_is_kept_even_when_it_looks_like_an_alternative() -> None:
    location = ("body", f"{BRANCH}event", f"{BRANCH}event")
    assert client_location(location, {f"{BRANCH}event": 1}) == ["body", f"{BRANCH}event"]
    assert client_location(("query", "limit"), None) == ["query", "limit"]


def _schemas(schema: Any) -> Any:
    """Every schema inside a core schema (the definitions too)."""
    if isinstance(schema, dict):
        if "type" in schema:
            yield schema
        for value in schema.values():
            yield from _schemas(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _schemas(item)


def _bodies() -> list[tuple[str, Any]]:
    routes = [route for router in ROUTERS for route in router.routes]
    bodies = [
        (route.path, route.body_field.field_info.annotation)
        for route in routes
        if isinstance(route, APIRoute) and route.body_field is not None
    ]
    assert len(bodies) > 20
    return bodies


def test_every_request_union_is_one_whose_alternatives_are_dropped() -> None:
    """A union names the alternative it tried in a location: every alternative of a
    request's union is tagged with ``branch``, so that the problem can drop it."""
    wrong: list[tuple[str, str]] = []
    for path, annotation in _bodies():
        for schema in _schemas(TypeAdapter(annotation).core_schema):
            if schema["type"] == "union":  # (the route's discriminator is not in the annotation)
                tags = [
                    choice[1] if isinstance(choice, tuple) else "" for choice in schema["choices"]
                ]
                wrong.extend(
                    (path, f"alternative {tag!r}") for tag in tags if not tag.startswith(BRANCH)
                )
            if schema["type"] == "tagged-union":
                tags = [tag for tag in schema["choices"] if not str(tag).startswith(BRANCH)]
                wrong.extend((path, f"tag {tag!r}") for tag in tags)
    assert wrong == []


@pytest.mark.parametrize("kind", ["query", "path"])
def test_parameters_keep_their_location(world: World, kind: str) -> None:
    path = "/v1/catalog/packs?region=usa" if kind == "query" else "/v1/wallets/abc"
    response = world.client.get(path, headers={"Authorization": f"Bearer {world.admin_key}"})
    problem = assert_problem(response, 422, "validation_failed")
    expected = "query.region" if kind == "query" else "path.user_id"
    assert [error["location"] for error in problem["errors"]] == [expected]
