"""expect: keeps clients informed before they have to ask."""
