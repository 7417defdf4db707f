"""``bench milestones`` at a small size: the posting arm writes exactly one post per
viewer and level reached, and the command prints its ratios (no timing asserted)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from giftflow.bench.milestones import bench_milestones
from giftflow.cli.app import app


def test_a_small_milestones_bench_posts_each_level_once() -> None:
    result = bench_milestones(gifts=240, viewers=2, rounds=1)
    assert result.exact and result.posts == 2 * 2  # 120 coins each: levels 1 and 2
    assert result.watching_ratio > 0 and result.posting_ratio > 0


def test_the_command_answers_json() -> None:
    answer = CliRunner().invoke(
        app, ["bench", "milestones", "--gifts", "20", "--viewers", "2", "--rounds", "1", "--json"]
    )
    assert answer.exit_code == 0, answer.output
    measured = json.loads(answer.output.strip().splitlines()[-1])
    assert measured["exact"] is True and measured["posts"] == 2
