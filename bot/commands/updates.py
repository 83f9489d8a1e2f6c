"""Weekly-update subcommands: filled in by the weekly-update feature."""
