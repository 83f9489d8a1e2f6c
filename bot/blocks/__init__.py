"""Pure Block Kit builders: domain objects in, dicts out; they call nothing."""
