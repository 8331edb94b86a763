"""The core app has no tables of its own (its migrations keep the history of the settings stamp it once had)."""
