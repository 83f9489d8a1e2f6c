"""delays: tables (filled in by that feature)."""
