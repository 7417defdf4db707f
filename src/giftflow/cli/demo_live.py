"""``giftflow demo --serve``: the replay as a live show, with overlays to watch it by.

The HTTP app (``create_app``, the in-process bus, a token secret made for the run) is
served by uvicorn in a thread over the demo's own economy, so the app, LIVE and the
room tokens all read the demo's manual clock: events carry the recording's times and a
token minted at the start is checked against the same clock. The creator goes live
through the app's ``Live`` (session 1, the one the replay's gifts name), with a coin
goal, one chapter per run of the schedule and a battle against a rival creator for the
first minutes; the replay then waits between donations, the recording's time divided
by ``speed``. Ctrl-C stops the replay; the demo then finishes (the summary, the payout,
the chargeback, reconcile) and the server stops.
"""

from __future__ import annotations

import secrets
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from types import FrameType
from typing import Any, Final

import uvicorn
from pydantic import SecretStr
from rich.console import Console

from giftflow.demo import LIVE_SESSION, DemoError, DemoWorld, coins_for_donation, load_runs
from giftflow.economy.users import User
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.goals import GoalKind
from giftflow.replay.source import Donation, Run
from giftflow.server import create_app
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live
from giftflow.settings import Settings

OVERLAYS: Final = ("gift-alerts", "goal-bar", "leaderboard", "battle-bar")
BATTLE_S: Final = 15 * 60
"""The battle runs for the first 15 minutes of the recording after its first donation."""
BOOSTER_MULTIPLIER: Final = 2
ROOM_TOKEN_MARGIN_S: Final = 30 * 86_400
"""Past the recording's end, for the after-LIVE steps and ``--stay``."""
SERVER_START_TIMEOUT_S: Final = 10.0
SERVER_STOP_TIMEOUT_S: Final = 10.0
RIVAL: Final = "gdq:rival"
SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


@dataclass(frozen=True, slots=True)
class ShowOptions:
    host: str
    port: int
    speed: float
    """Seconds of the recording per second of the show."""
    stay: bool
    lead_in_s: float
    """Between printing the URLs and the first donation: time to open them."""


class _Server:
    """uvicorn in a thread (its signal handlers stay off: the main thread owns Ctrl-C)."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="giftflow-demo-http")

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise DemoError("the HTTP server did not start (is the port in use?)")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(SERVER_STOP_TIMEOUT_S)


class Stage:
    """The server, LIVE and the show's pacing, for one demo run. Use it as a context
    manager: leaving it stops the server (the caller then closes the economy)."""

    def __init__(
        self,
        world: DemoWorld,
        stream: Sequence[Donation],
        options: ShowOptions,
        console: Console,
    ) -> None:
        self.world = world
        self.options = options
        self.console = console
        self.stopping = threading.Event()
        self.bus = InProcessBus()
        secret = SecretStr(
            secrets.token_hex(32)
        )  # not world.random: the seed replays as without --serve
        self.settings = Settings(
            database_url=f"sqlite:///{world.paths.database}",
            payout_dir=world.paths.payouts,
            token_secret=secret,
            room_token_ttl_s=_room_token_ttl_s(world.clock.now_ns(), stream),
            environment="development",
        )
        self.app = create_app(world.economy, self.settings, self.bus)
        self.live: Live = self.app.state.giftflow.live
        config = uvicorn.Config(
            self.app,
            host=options.host,
            port=options.port,
            ws="websockets-sansio",
            ws_per_message_deflate=False,  # as giftflow serve (cli/serve.py)
            proxy_headers=False,
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)
        self._runs: list[Run] = []
        self._sessions: list[int] = []
        self._started_at: tuple[int, float] | None = None
        self._previous_sigint: SignalHandler = None

    def __enter__(self) -> Stage:
        try:
            self._server.start()
        except DemoError:
            self.bus.close()
            raise
        self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc_info: object) -> None:
        signal.signal(signal.SIGINT, self._previous_sigint)
        self.bus.close()  # ends the rooms' WebSockets, so the server stops at once
        self._server.stop()

    def _on_sigint(self, _signal: int, _frame: FrameType | None) -> None:
        if self.stopping.is_set():
            raise KeyboardInterrupt
        self.console.print("[yellow]Ctrl-C[/yellow]: stopping the show")
        self.stopping.set()

    # --- before the replay --------------------------------------------------------------

    def open_show(self, creator: User, stream: Sequence[Donation]) -> None:
        """Go live with a goal, the runs as chapters and a rival, then print the
        overlays' URLs and wait the lead-in."""
        session = self.live.start_session(creator.id, title="Summer Games Done Quick 2012")
        if session.id != LIVE_SESSION:
            raise DemoError(f"the LIVE is session {session.id}, not {LIVE_SESSION}")
        self._sessions.append(session.id)
        self._create_goal(session.id, stream)
        self._runs = [run for run in load_runs() if run.end_ns - run.start_ns >= NS_PER_S]
        plans = [_chapter_plan(run) for run in self._runs]
        if plans:
            self.live.plan_chapters(session.id, plans)
        self._sessions.append(self._rival_session())
        issued = self.app.state.giftflow.room_tokens.issue(creator.id)
        self._print_urls(issued.token)
        self.stopping.wait(self.options.lead_in_s)

    def _create_goal(self, session_id: int, stream: Sequence[Donation]) -> None:
        coins = sum(coins_for_donation(donation.amount_usd_cents) for donation in stream)
        target = max(1, coins // 2)
        promise = f"Punch-Out!! blindfolded at {target:,} coins"
        self.live.create_goal(session_id, kind=GoalKind.COINS, target=target, promise=promise)

    def _rival_session(self) -> int:
        rival = self.world.economy.register_user(
            external_id=RIVAL,
            display_name="A rival marathon",
            birth_date=date(1988, 3, 1),
            region=self.world.creator.region,
            is_creator=True,
        )
        return self.live.start_session(rival.id, title="the rival marathon").id

    def _print_urls(self, token: str) -> None:
        base = f"http://{self.options.host}:{self.options.port}/overlays"
        self.console.rule("live, with overlays: open these in a browser or OBS")
        for name in OVERLAYS:
            self.console.print(
                f"{base}/{name}.html?token={token}", soft_wrap=True, markup=False, highlight=False
            )
        self.console.print(
            f"the replay starts in {self.options.lead_in_s:g} s, at {self.options.speed:g}x"
            " (Ctrl-C stops it)"
        )
        self.console.file.flush()

    # --- during the replay --------------------------------------------------------------

    def pace(self, donation: Donation) -> bool:
        """Wait for the donation's moment in the show, move chapters, start the battle;
        False once Ctrl-C was pressed (never for the first donation: the after-LIVE steps
        need one)."""
        if self._started_at is None:
            self._started_at = (donation.at_ns, time.monotonic())
            self._advance_chapters(donation.at_ns)
            self._start_battle(donation.at_ns)
            return True
        first_ns, started = self._started_at
        due = started + (donation.at_ns - first_ns) / NS_PER_S / self.options.speed
        self.stopping.wait(max(0.0, due - time.monotonic()))
        self._advance_chapters(donation.at_ns)
        return not self.stopping.is_set()

    def _advance_chapters(self, moment_ns: int) -> None:
        clock = self.world.clock
        while self._runs and self._runs[0].start_ns <= moment_ns:
            run = self._runs.pop(0)
            clock.set_ns(max(clock.now_ns(), run.start_ns))
            self.live.advance_chapter(LIVE_SESSION)

    def _start_battle(self, moment_ns: int) -> None:
        clock = self.world.clock
        clock.set_ns(max(clock.now_ns(), moment_ns))
        # By invitation, as creators battle: the creator invites, the rival accepts.
        ours, rival = self._sessions
        invitation = self.live.invite_to_battle(ours, [rival], duration_s=BATTLE_S)
        accepted = self.live.accept_battle_invitation(invitation.id, session_id=rival)
        assert accepted.battle_id is not None, "the only invitee accepted: the battle began"
        self.live.trigger_booster(
            accepted.battle_id,
            session_id=LIVE_SESSION,
            by_user_id=self.world.creator.id,
            multiplier=BOOSTER_MULTIPLIER,
        )

    # --- after ------------------------------------------------------------------------

    def close_show(self) -> None:
        """End the sessions (the battle, if still running, ends with them)."""
        for session_id in self._sessions:
            self.live.end_session(session_id)

    def stay(self) -> None:
        if not self.options.stay or self.stopping.is_set():
            return
        self.console.print(
            f"still serving at http://{self.options.host}:{self.options.port} (Ctrl-C stops)"
        )
        self.console.file.flush()
        self.stopping.wait()


def _chapter_plan(run: Run) -> ChapterPlan:
    return ChapterPlan(ChapterKind.VALUE, run.game, (run.end_ns - run.start_ns) // NS_PER_S)


def _room_token_ttl_s(now_ns: int, stream: Sequence[Donation]) -> int:
    """The recording from now to its last donation, and a margin for what follows."""
    last_ns = max((donation.at_ns for donation in stream), default=now_ns)
    return max(0, last_ns - now_ns) // NS_PER_S + ROOM_TOKEN_MARGIN_S
