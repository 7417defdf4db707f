"""Analytics: per-minute series, the post-LIVE report, cohorts, coin flows, follows.

The OpenAPI document describes the series, reports, cohorts and flows only as objects,
so they come back as ``dict`` (docs/analytics.md has their fields).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from giftflow.client.call import Call, json_object, model, path, text
from giftflow.client.models import (
    FollowPublic,
    ReportLinkPublic,
    ReportLinkRevokedPublic,
    SessionList,
)
from giftflow.client.requests import without_none


def session_series(session_id: int) -> Call[dict[str, Any]]:
    return Call("GET", path("/v1/sessions/{}/series", session_id), json_object)


def session_report(session_id: int) -> Call[dict[str, Any]]:
    """The post-LIVE report as JSON."""
    return Call("GET", path("/v1/sessions/{}/report", session_id), json_object)


def session_report_html(session_id: int) -> Call[str]:
    """The same report as one self-contained HTML page."""
    return Call("GET", path("/v1/sessions/{}/report.html", session_id), text)


def create_report_link(
    session_id: int, *, expires_in_s: int | None = None
) -> Call[ReportLinkPublic]:
    """A URL that opens the report page in a browser, without headers, for
    ``expires_in_s`` (an hour by default): a credential, share it like a password."""
    url = path("/v1/sessions/{}/report-links", session_id)
    body = without_none(expires_in_s=expires_in_s)
    return Call("POST", url, model(ReportLinkPublic), body=body)


def revoke_report_link(session_id: int, link_id: str) -> Call[ReportLinkRevokedPublic]:
    """The link opens nothing from now on (``revoked`` false: it was already)."""
    url = path("/v1/sessions/{}/report-links/{}/revoke", session_id, link_id)
    return Call("POST", url, model(ReportLinkRevokedPublic), repeatable=True)


def creator_sessions(creator_id: int) -> Call[SessionList]:
    """The creator's LIVEs, newest first."""
    return Call("GET", path("/v1/creators/{}/sessions", creator_id), model(SessionList))


def creator_cohorts(creator_id: int) -> Call[dict[str, Any]]:
    return Call("GET", path("/v1/creators/{}/cohorts", creator_id), json_object)


def creator_coin_flows(creator_id: int, *, start: date, end: date) -> Call[dict[str, Any]]:
    """The creator's balanced flows for ``[start, end)`` (the API's ``from`` and ``to``)."""
    url = path("/v1/creators/{}/coin-flows", creator_id)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    return Call("GET", url, json_object, query=query)


def platform_coin_flows(*, start: date, end: date) -> Call[dict[str, Any]]:
    """The platform's flows for ``[start, end)`` (admin)."""
    query = {"from": start.isoformat(), "to": end.isoformat()}
    return Call("GET", "/v1/coin-flows", json_object, query=query)


def follow(creator_id: int, *, user_id: int) -> Call[FollowPublic]:
    """Only a first follow counts (``first``)."""
    url = path("/v1/creators/{}/followers", creator_id)
    body = {"user_id": user_id}
    return Call("POST", url, model(FollowPublic), body=body, repeatable=True)
