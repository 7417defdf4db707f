"""The economy: coins in, gifts live, diamonds out. Pure domain on top of the ledger
(no web framework, no database driver); see docs.md in this folder."""
