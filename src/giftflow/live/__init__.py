"""LIVE: rooms, sessions, goals, battles, leaderboards, chapters and the events that
drive overlays. Pure domain (no web framework, no database driver)."""
