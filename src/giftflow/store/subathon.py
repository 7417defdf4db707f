"""The statements of subathon timers and gift rules, typed: each function runs in the
caller's ``Tx`` and answers frozen values read by column name (the tables are in
``subathon_tables``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from giftflow.creator.gift_rules import GiftRule
from giftflow.creator.subathon import Control, ControlKind, Counted, Entry, Rules, Tier, Timer
from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.store.tx import NamedRow, Tx

_SUBATHON: Final = (
    "id, creator_id, number, started_at, initial_s, cap_s, start_rules, rules, granted_ns, run_ns,"
    " toggled_at, paused, ended_at, as_of, gifts, coins, added_ns, seq"
)
_RULE: Final = (
    "id, creator_id, action, payload, min_coins, gift_id, cooldown_s, fired, last_fired_at,"
    " created_at"
)


@dataclass(frozen=True, slots=True)
class StoredSubathon:
    id: str
    creator_id: UserId
    number: int
    """The room's subathons count 1, 2, …"""
    timer: Timer
    seq: int
    """The last history entry's number (0: nothing after the start)."""
    start_rules: Rules
    """The rules it started with (``timer.rules`` are those in force)."""

    def moved(self, timer: Timer, seq: int) -> StoredSubathon:
        return StoredSubathon(self.id, self.creator_id, self.number, timer, seq, self.start_rules)


@dataclass(frozen=True, slots=True)
class Firing:
    rule_id: int
    gift_event_id: TransferId
    fired_at: UnixNs


# --- rules as text --------------------------------------------------------------------


def rules_json(rules: Rules) -> str:
    tiers = [[tier.min_coins, tier.add_s] for tier in rules.tiers]
    return json.dumps({"tiers": tiers, "ms_per_coin": rules.ms_per_coin})


def rules_of(text: str) -> Rules:
    raw = json.loads(text)
    tiers = tuple(Tier(int(coins), int(seconds)) for coins, seconds in raw["tiers"])
    return Rules(tiers, int(raw["ms_per_coin"]))


# --- subathons ------------------------------------------------------------------------


def _subathon(row: NamedRow) -> StoredSubathon:
    timer = Timer(
        started_at=row["started_at"],
        initial_s=row["initial_s"],
        cap_s=row["cap_s"],
        rules=rules_of(row["rules"]),
        granted_ns=row["granted_ns"],
        run_ns=row["run_ns"],
        toggled_at=row["toggled_at"],
        paused=bool(row["paused"]),
        ended_at=row["ended_at"] or None,
        as_of=row["as_of"],
        gifts=row["gifts"],
        coins=row["coins"],
        added_ns=row["added_ns"],
    )
    return StoredSubathon(
        row["id"],
        row["creator_id"],
        row["number"],
        timer,
        row["seq"],
        rules_of(row["start_rules"]),
    )


def insert_subathon(tx: Tx, subathon_id: str, creator_id: UserId, timer: Timer) -> StoredSubathon:
    """The room's next subathon (numbered after its last)."""
    last = tx.scalar("SELECT MAX(number) FROM subathons WHERE creator_id = ?", (creator_id,))
    row = tx.named(
        "INSERT INTO subathons (id, creator_id, number, started_at, initial_s, cap_s,"
        " start_rules, rules, granted_ns, run_ns, toggled_at, paused, ended_at, as_of, gifts,"
        " coins, added_ns, seq)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, 0, 0, 0) RETURNING {_SUBATHON}",
        (
            subathon_id,
            creator_id,
            int(last or 0) + 1,
            timer.started_at,
            timer.initial_s,
            timer.cap_s,
            rules_json(timer.rules),
            rules_json(timer.rules),
            timer.granted_ns,
            timer.run_ns,
            timer.toggled_at,
            timer.paused,
            timer.as_of,
        ),
    )
    assert row is not None
    return _subathon(row)


def find_subathon(tx: Tx, subathon_id: str) -> StoredSubathon | None:
    row = tx.named(f"SELECT {_SUBATHON} FROM subathons WHERE id = ?", (subathon_id,))
    return None if row is None else _subathon(row)


def latest_of_room(tx: Tx, creator_id: UserId) -> StoredSubathon | None:
    """The room's last subathon (the one that may run)."""
    row = tx.named(
        f"SELECT {_SUBATHON} FROM subathons WHERE creator_id = ? ORDER BY number DESC LIMIT 1",
        (creator_id,),
    )
    return None if row is None else _subathon(row)


def of_room(tx: Tx, creator_id: UserId, *, limit: int) -> list[StoredSubathon]:
    rows = tx.named_all(
        f"SELECT {_SUBATHON} FROM subathons WHERE creator_id = ? ORDER BY number DESC LIMIT ?",
        (creator_id, limit),
    )
    return [_subathon(row) for row in rows]


def ran_out(tx: Tx, now: int, *, limit: int) -> list[StoredSubathon]:
    """Running timers, not closed, whose time ran out by ``now``."""
    rows = tx.named_all(
        f"SELECT {_SUBATHON} FROM subathons WHERE ended_at = 0 AND paused = ?"
        " AND toggled_at + granted_ns - run_ns <= ? ORDER BY id LIMIT ?",
        (False, now, limit),
    )
    return [_subathon(row) for row in rows]


def save_timer(tx: Tx, stored: StoredSubathon, timer: Timer, seq: int) -> bool:
    """Compare-and-set: the timer moves from ``stored`` (its ``seq``) to ``timer`` at
    ``seq``; False when another change moved it first."""
    return _compare_and_set(
        tx,
        stored,
        seq,
        rules=rules_json(timer.rules),
        run_ns=timer.run_ns,
        toggled_at=timer.toggled_at,
        paused=timer.paused,
        ended_at=timer.ended_at or 0,
        **_counted(timer),
    )


def save_count(tx: Tx, stored: StoredSubathon, timer: Timer, seq: int) -> bool:
    """``save_timer`` for a counted gift: only what a gift moves (the per-gift path)."""
    return _compare_and_set(tx, stored, seq, **_counted(timer))


def _counted(timer: Timer) -> dict[str, int]:
    """The columns a counted gift moves."""
    return {
        "granted_ns": timer.granted_ns,
        "as_of": timer.as_of,
        "gifts": timer.gifts,
        "coins": timer.coins,
        "added_ns": timer.added_ns,
    }


def _compare_and_set(tx: Tx, stored: StoredSubathon, seq: int, **columns: object) -> bool:
    """Set ``columns`` and ``seq`` where the row is still at ``stored.seq``; False when
    another change moved it first. Column names are this module's, never input."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    tx.execute(
        f"UPDATE subathons SET {assignments}, seq = ? WHERE id = ? AND seq = ?",
        (*columns.values(), seq, stored.id, stored.seq),
    )
    return tx.rowcount == 1


def insert_control(tx: Tx, subathon_id: str, seq: int, move: Control) -> None:
    rules = "null" if move.rules is None else rules_json(move.rules)
    tx.execute(
        "INSERT INTO subathon_controls (subathon_id, seq, kind, at, rules) VALUES (?, ?, ?, ?, ?)",
        (subathon_id, seq, str(move.kind), move.at, rules),
    )


def insert_counted(tx: Tx, subathon_id: str, seq: int, gift: Counted, added_ns: int) -> bool:
    """The gift counted; False when this gift event was counted already."""
    tx.execute(
        "INSERT INTO subathon_gifts (subathon_id, gift_event_id, seq, at, coins, added_ns)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subathon_id, gift_event_id) DO NOTHING",
        (subathon_id, gift.gift_event_id, seq, gift.at, gift.coins, added_ns),
    )
    return tx.rowcount == 1


def history(tx: Tx, subathon_id: str) -> list[tuple[int, Entry]]:
    """Everything recorded after the start, with its sequence number, in order."""
    controls = tx.named_all(
        "SELECT seq, kind, at, rules FROM subathon_controls WHERE subathon_id = ?",
        (subathon_id,),
    )
    gifts = tx.named_all(
        "SELECT seq, gift_event_id, at, coins FROM subathon_gifts WHERE subathon_id = ?",
        (subathon_id,),
    )
    entries: list[tuple[int, Entry]] = [
        (row["seq"], Control(ControlKind(row["kind"]), row["at"], _optional_rules(row["rules"])))
        for row in controls
    ]
    entries.extend(
        (row["seq"], Counted(row["gift_event_id"], row["at"], row["coins"])) for row in gifts
    )
    return sorted(entries, key=lambda pair: pair[0])


def _optional_rules(text: str) -> Rules | None:
    return None if text == "null" else rules_of(text)


# --- gift rules -----------------------------------------------------------------------


def _rule(row: NamedRow) -> GiftRule:
    return GiftRule(
        id=row["id"],
        creator_id=row["creator_id"],
        action=row["action"],
        payload=row["payload"],
        min_coins=row["min_coins"],
        gift_id=row["gift_id"],
        cooldown_s=row["cooldown_s"],
        fired=row["fired"],
        last_fired_at=row["last_fired_at"] if row["fired"] else None,
        created_at=row["created_at"],
    )


def insert_rule(
    tx: Tx,
    creator_id: UserId,
    *,
    action: str,
    payload: str,
    min_coins: int | None,
    gift_id: GiftId | None,
    cooldown_s: int,
    now: int,
) -> GiftRule:
    row = tx.named(
        "INSERT INTO gift_rules (creator_id, action, payload, min_coins, gift_id, cooldown_s,"
        f" created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_RULE}",
        (creator_id, action, payload, min_coins, gift_id, cooldown_s, now),
    )
    assert row is not None
    return _rule(row)


def count_rules(tx: Tx, creator_id: UserId) -> int:
    return int(
        tx.scalar(
            "SELECT COUNT(*) FROM gift_rules WHERE creator_id = ? AND deleted_at = 0",
            (creator_id,),
        )
    )


def rules_of_room(tx: Tx, creator_id: UserId) -> list[GiftRule]:
    """The room's rules in force, oldest first."""
    rows = tx.named_all(
        f"SELECT {_RULE} FROM gift_rules WHERE creator_id = ? AND deleted_at = 0 ORDER BY id",
        (creator_id,),
    )
    return [_rule(row) for row in rows]


def find_rule(tx: Tx, rule_id: int) -> GiftRule | None:
    row = tx.named(f"SELECT {_RULE} FROM gift_rules WHERE id = ? AND deleted_at = 0", (rule_id,))
    return None if row is None else _rule(row)


def delete_rule(tx: Tx, rule_id: int, now: int) -> bool:
    """The rule no longer fires (its firings stay); False when it was deleted already."""
    tx.execute(
        "UPDATE gift_rules SET deleted_at = ? WHERE id = ? AND deleted_at = 0", (now, rule_id)
    )
    return tx.rowcount == 1


def fire_rule(tx: Tx, rule: GiftRule, gift_event_id: TransferId, at: int) -> bool:
    """Compare-and-set on the firing count the rule was read with, then the firing's
    row; False (nothing written) when another gift fired it meanwhile or this gift
    event fired it already."""
    tx.execute(
        "UPDATE gift_rules SET fired = fired + 1, last_fired_at = ?"
        " WHERE id = ? AND fired = ? AND deleted_at = 0",
        (at, rule.id, rule.fired),
    )
    if tx.rowcount != 1:
        return False
    tx.execute(
        "INSERT INTO gift_rule_firings (rule_id, gift_event_id, fired_at) VALUES (?, ?, ?)",
        (rule.id, gift_event_id, at),
    )
    return True


def firings(tx: Tx, rule_id: int, *, limit: int) -> list[Firing]:
    rows = tx.named_all(
        "SELECT rule_id, gift_event_id, fired_at FROM gift_rule_firings WHERE rule_id = ?"
        " ORDER BY fired_at DESC, gift_event_id DESC LIMIT ?",
        (rule_id, limit),
    )
    return [Firing(row["rule_id"], row["gift_event_id"], row["fired_at"]) for row in rows]
