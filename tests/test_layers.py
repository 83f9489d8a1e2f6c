import ast
from pathlib import Path

import bot.domain

DOMAIN = Path(bot.domain.__file__).parent


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_domain_imports_neither_block_kit_nor_slack():
    offending = {
        f"{path.name}: {name}" for path in DOMAIN.glob("*.py") for name in imported(path)
        if name.startswith(("bot.blocks", "bot.slack", "slack_")) or name in ("bot.blocks", "bot.slack")
    }
    assert not offending
