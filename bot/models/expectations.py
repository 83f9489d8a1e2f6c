"""expectations: tables (filled in by that feature)."""
