"""expectations: /expect subcommands (filled in by that feature)."""
