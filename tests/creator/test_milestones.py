"""Milestone rules without a database: templates say only their kind's placeholders and
render without evaluating anything; thresholds fire once each however the count moves;
Discord and Telegram bodies stay within their services' limits and ping no one."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giftflow.creator.milestones import (
    DEFAULT_TEMPLATES,
    DISCORD_CONTENT_MAX,
    PLACEHOLDERS,
    TELEGRAM_TEXT_MAX,
    ChannelFormat,
    Destination,
    MilestoneError,
    MilestoneKind,
    Rule,
    check_rules,
    check_template,
    crossed,
    discord_body,
    masked_token,
    masked_url,
    placeholders,
    render,
    telegram_body,
)

TOKEN = "123456789:AAH-secret_token_0123456789abcdef"


def test_every_default_template_passes_its_own_check() -> None:
    for kind, template in DEFAULT_TEMPLATES.items():
        assert check_template(kind, template) == template


@pytest.mark.parametrize(
    "template",
    [
        "{level}",  # another kind's
        "{creator.__class__}",  # attribute access
        "{creator[0]}",  # indexing
        "{creator!r}",  # a conversion
        "{count:>99999}",  # a format spec
        "{0}",  # a position
        "{}",
    ],
)
def test_a_template_naming_anything_but_its_kinds_placeholders_is_refused(template: str) -> None:
    with pytest.raises(MilestoneError) as refused:
        check_template(MilestoneKind.FOLLOWERS_REACHED, template)
    assert refused.value.code == "milestone_placeholder_unknown"
    assert "{creator}, {count}, {url}" in refused.value.message


@pytest.mark.parametrize("template", ["a { alone", "a } alone", "{{creator}", "  "])
def test_a_template_with_a_stray_brace_or_nothing_to_say_is_refused(template: str) -> None:
    with pytest.raises(MilestoneError) as refused:
        check_template(MilestoneKind.LIVE_STARTED, template)
    assert refused.value.code == "milestone_template_invalid"


def test_doubled_braces_are_literal_braces() -> None:
    assert placeholders("{{creator}} {title}") == ["title"]
    assert render("{{creator}} {title}", {"creator": "x", "title": "Art"}) == "{creator} Art"


@given(st.dictionaries(st.sampled_from(PLACEHOLDERS[MilestoneKind.GOAL_COMPLETED]), st.text()))
def test_rendering_puts_each_value_in_as_written(values: dict[str, str]) -> None:
    """A value full of braces, format specs or attribute paths is text, never a second
    template (``str.format`` on user text would evaluate it)."""
    template = " | ".join("{" + name + "}" for name in PLACEHOLDERS[MilestoneKind.GOAL_COMPLETED])
    expected = " | ".join(
        values.get(name, "") for name in PLACEHOLDERS[MilestoneKind.GOAL_COMPLETED]
    )
    assert render(template, values) == expected.strip()


@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=20, unique=True).map(sorted),
    st.lists(st.integers(0, 50), max_size=60),
)
def test_follower_thresholds_fire_once_each_however_the_count_grows(
    thresholds: list[int], steps: list[int]
) -> None:
    """Each threshold reached fires exactly once, in the step that reached it."""
    count, fired = 0, []
    for step in steps:
        fired.extend(crossed(count, count + step, thresholds))
        count += step
    assert fired == [value for value in thresholds if value <= count]


@given(st.text(alphabet=string.printable + "@é🎉", max_size=5_000))
def test_discord_and_telegram_bodies_stay_within_their_limits(text: str) -> None:
    discord = discord_body(text)
    assert len(discord["content"]) <= DISCORD_CONTENT_MAX
    assert discord["allowed_mentions"] == {"parse": []}
    telegram = telegram_body("-100123", text)
    assert len(telegram["text"]) <= TELEGRAM_TEXT_MAX
    assert telegram["disable_web_page_preview"] is True and "parse_mode" not in telegram
    if len(text) <= DISCORD_CONTENT_MAX:
        assert discord["content"] == text


def test_rules_list_their_thresholds_within_bounds_and_one_per_kind() -> None:
    levels = Rule(MilestoneKind.SUPPORTER_LEVEL_REACHED, "{supporter}", (2, 5))
    assert check_rules([levels], levels=5) == (levels,)
    for wrong in [
        Rule(MilestoneKind.SUPPORTER_LEVEL_REACHED, "{supporter}", (6,)),  # 5 levels only
        Rule(MilestoneKind.FOLLOWERS_REACHED, "{count}", (10, 5)),  # not ascending
        Rule(MilestoneKind.FOLLOWERS_REACHED, "{count}"),  # none
        Rule(MilestoneKind.LIVE_STARTED, "{title}", (1,)),  # has none
    ]:
        with pytest.raises(MilestoneError) as refused:
            check_rules([wrong], levels=5)
        assert refused.value.code == "milestone_thresholds_invalid"
    with pytest.raises(MilestoneError):
        check_rules([levels, levels], levels=5)


def test_a_destination_has_what_its_format_needs() -> None:
    telegram = Destination(ChannelFormat.TELEGRAM, bot_token=TOKEN, chat_id="@carolsfans")
    assert telegram.target_url() == f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert Destination(ChannelFormat.DISCORD, url="https://d.example/x").target_url()
    for wrong in [
        Destination(ChannelFormat.DISCORD),
        Destination(ChannelFormat.JSON, url="https://x.example", chat_id="1"),
        Destination(ChannelFormat.TELEGRAM, bot_token="not-a-token", chat_id="1"),
        Destination(ChannelFormat.TELEGRAM, bot_token=TOKEN, chat_id="carol; DROP"),
        Destination(ChannelFormat.TELEGRAM, url="https://x.example", bot_token=TOKEN, chat_id="1"),
    ]:
        with pytest.raises(MilestoneError) as refused:
            wrong.target_url()
        assert refused.value.code == "milestone_destination_invalid"


def test_secrets_are_shown_masked() -> None:
    assert masked_token(TOKEN) == "123456789:…cdef"
    assert masked_url("https://discord.com/api/webhooks/1/abcdefgh") == (
        "https://discord.com/api/webhooks/1/…efgh"
    )
    assert masked_url("https://example.com") == "https://example.com"
