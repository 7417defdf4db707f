"""Single gifts sent to a real server, one after the other, as a platform sends them."""

from __future__ import annotations

import uuid

import httpx

from giftflow.bench.population import ROSE_GIFT_ID, Population


def send_gifts(base_url: str, population: Population, *, count: int, prefix: str) -> list[str]:
    """``count`` roses from the population's viewers in turn to its creator, each
    answered 201 (asserted): their gift event ids, in order."""
    ids: list[str] = []
    headers = {"Authorization": f"Bearer {population.api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for n in range(count):
            body = {
                "sender_id": population.viewer_ids[n % len(population.viewer_ids)],
                "creator_id": population.creator_id,
                "gift_id": ROSE_GIFT_ID,
                "event_id": f"{prefix}-{n}",
            }
            answer = client.post(
                "/v1/gifts", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            assert answer.status_code == 201, answer.text
            ids.append(str(answer.json()["id"]))
    return ids
