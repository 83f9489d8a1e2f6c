from concurrent.futures import ThreadPoolExecutor

from bot.models import Milestone
from tests.expectations_support import ADD, rows


def test_concurrent_milestones_are_numbered_one_after_another(slack, services):
    slack.command(ADD)
    titles = [f"Step {n}" for n in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda t: slack.command(f'add-milestone acme-website "{t}" due=2026-12-18'), titles))
    assert all(a.status == 200 and a.json["text"].startswith("Added Step") for a in answers), answers
    milestones = rows(services, Milestone)
    assert sorted(m.number for m in milestones) == list(range(1, 11))
    assert sorted(m.title for m in milestones) == titles
