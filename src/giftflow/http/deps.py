"""What routes depend on, as ``Annotated`` types: the economy, the caller, the
idempotency key, the metrics, the event bus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from giftflow.http.auth import Authenticator
from giftflow.http.errors import UnauthenticatedError
from giftflow.http.idempotency import HEADER, KEY_PATTERN, Idempotent, InFlight
from giftflow.http.metrics import ApiMetrics
from giftflow.http.principals import Principal
from giftflow.http.rate_limits import RateLimiter
from giftflow.http.report_links import ReportLinks
from giftflow.http.room_tokens import RoomTokens
from giftflow.http.sockets import SocketCaps
from giftflow.service.creator.bio import Bio
from giftflow.service.economy import Economy
from giftflow.service.events import EventBus
from giftflow.service.live import Live
from giftflow.service.promote import Promote
from giftflow.settings import Settings


@dataclass(frozen=True, slots=True)
class ApiState:
    """Everything one app serves with; ``app.state.giftflow``."""

    economy: Economy
    settings: Settings
    authenticator: Authenticator
    in_flight: InFlight
    """The idempotency keys this process is working on."""
    metrics: ApiMetrics
    room_tokens: RoomTokens
    report_links: ReportLinks
    sockets: SocketCaps
    """Room WebSockets held by this process, within their caps."""
    bus: EventBus
    """Where LIVE services publish and room WebSockets subscribe."""
    live: Live
    """LIVE over ``economy``, publishing on ``bus``."""
    limiter: RateLimiter
    """Every caller's token buckets (``rate_limits.py``)."""
    promote: Promote
    """Promote over ``economy``."""
    bio: Bio
    """Link-in-bio pages over ``live``, with this process's buffered views and clicks."""


def state_of(request: Request) -> ApiState:
    return cast(ApiState, request.app.state.giftflow)


# Dependencies are ``async def``: FastAPI runs a plain ``def`` one in its thread pool, a
# thread hop per dependency per request for what is an attribute lookup or one read.
async def get_state(request: Request) -> ApiState:
    return state_of(request)


StateDep = Annotated[ApiState, Depends(get_state)]


async def get_economy(state: StateDep) -> Economy:
    return state.economy


EconomyDep = Annotated[Economy, Depends(get_economy)]


async def get_bus(state: StateDep) -> EventBus:
    return state.bus


BusDep = Annotated[EventBus, Depends(get_bus)]


async def get_live(state: StateDep) -> Live:
    return state.live


LiveDep = Annotated[Live, Depends(get_live)]


async def get_bio(state: StateDep) -> Bio:
    return state.bio


BioDep = Annotated[Bio, Depends(get_bio)]


async def get_metrics(state: StateDep) -> ApiMetrics:
    return state.metrics


MetricsDep = Annotated[ApiMetrics, Depends(get_metrics)]

bearer = HTTPBearer(
    auto_error=False,
    description="A platform API key (`gf_<id>_<secret>`) or a user token from POST /v1/tokens.",
)


async def get_principal(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, within its rate limit (429 ``rate_limited`` beyond it); a failed
    authentication counts against the client's address (429 instead of 401 beyond)."""
    try:
        principal = await state.authenticator.authenticate_async(
            credentials.credentials if credentials else None
        )
    except UnauthenticatedError:
        await state.limiter.failed(client_address(request))
        raise
    await state.limiter.admit(principal, request.method)
    return principal


def client_address(request: Request) -> str:
    """The peer's address as the server sees it (a proxy's, unless the server trusts
    its forwarding headers)."""
    return request.client.host if request.client is not None else "unknown"


async def limit_webhook(request: Request, state: StateDep) -> None:
    """Webhook deliveries per client address, before the body is read."""
    await state.limiter.webhook(client_address(request))


WebhookLimitDep = Annotated[None, Depends(limit_webhook)]


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_idempotent(
    request: Request,
    state: StateDep,
    principal: PrincipalDep,
    key: Annotated[
        str,
        Header(
            alias=HEADER,
            pattern=KEY_PATTERN,
            description="Unique per operation (a UUID): a retry with it gets the first answer.",
        ),
    ],
) -> Idempotent:
    return Idempotent(state, principal, key, request.method, request.url.path)


IdempotentDep = Annotated[Idempotent, Depends(get_idempotent)]
