"""Two servers over one database (two economies, each with LIVE and its milestone
watcher): follows and gifts race on both, and every milestone still has one post per
channel, written with the change that reached it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from giftflow.creator.milestones import ChannelFormat, Destination, MilestoneKind, Rule
from giftflow.service.creator import milestones
from giftflow.service.creator.milestones import Milestones
from giftflow.store.tx import Tx
from tests.live.conftest import OpenStage, Stage

LEVELS = (1, 100, 1_000, 10_000, 100_000)


def _watching(stage: Stage) -> Stage:
    milestones.watch(stage.market.economy, LEVELS)
    return stage


def _keys(stage: Stage) -> list[str]:
    def read(tx: Tx) -> list[str]:
        rows = tx.named_all("SELECT milestone_key FROM milestone_posts ORDER BY milestone_key")
        return [str(row["milestone_key"]) for row in rows]

    return stage.market.economy.ledger.read(read)


def test_two_servers_post_each_follower_threshold_and_level_once(open_stage: OpenStage) -> None:
    first, second = _watching(open_stage()), _watching(open_stage())
    session = first.live_session("Two servers")
    creator = session.creator_id
    rules = [
        Rule(MilestoneKind.FOLLOWERS_REACHED, "{count} followers", (5, 10, 15)),
        Rule(MilestoneKind.SUPPORTER_LEVEL_REACHED, "{supporter} at {level}", (2, 3)),
    ]
    destination = Destination(ChannelFormat.JSON, url="http://127.0.0.1:9/milestones")
    Milestones(first.market.economy.context, len(LEVELS)).create(creator, destination, rules=rules)
    fans = [first.viewer(2_000) for _ in range(16)]
    stages = [first, second]

    def follow(n: int) -> bool:
        return stages[n % 2].live.follow(creator, fans[n % len(fans)].id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        firsts = list(pool.map(follow, range(48)))  # each fan three times, on both servers
    assert firsts.count(True) == 16

    def gift(n: int) -> object:
        stage, fan = stages[n % 2], fans[n % 4]
        return stage.market.economy.send_gift(stage.request(fan, session, quantity=100))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(gift, range(48)))  # four fans, 1,200 coins each: levels 2 and 3
    expected = [f"followers:{n}" for n in (10, 15, 5)] + sorted(
        f"supporter:{fan.id}:{level}" for fan in fans[:4] for level in (2, 3)
    )
    assert _keys(first) == sorted(expected)
    assert _keys(second) == _keys(first)
