from datetime import date

from bot.blocks.projects import project_list
from bot.models import Project
from tests.slackreq import INTERNAL, SHARED


def test_list_shows_first_rows_and_counts_the_rest(slack):
    for n in range(47):
        channel = SHARED if n % 2 else INTERNAL
        assert "Registered" in slack.command(f'add-project "Project {n:02d}" <#{channel}|x>').text
    slack.command('add-milestone project-00 "Overdue thing" due=2026-11-20')
    slack.command('add-milestone project-00 "Later thing" due=2026-12-20')
    slack.command('add-milestone project-01 "Shipped" due=2026-11-20')
    slack.command('done project-01 "Shipped"')
    slack.command('add-milestone project-01 "Next up" due=2026-12-10')
    listing = slack.command("list").text
    assert listing.count("`project-") == 45
    assert "*Project 44*" in listing and "*Project 45*" not in listing
    assert "…and 2 more." in listing
    assert ":red_circle: *Project 00*" in listing and "next: Overdue thing" in listing
    assert ":large_green_circle: *Project 01*" in listing and "next: Next up" in listing
    assert ":large_green_circle: *Project 02*" in listing and "no open milestones" in listing


def test_list_past_the_count_limit_says_over():
    projects = [Project(id=n, name=f"P{n}", slug=f"p{n}", channel_id=SHARED, tz="UTC") for n in range(45)]
    blocks = project_list(projects, lambda p: date(2026, 11, 23), 1001, {})
    assert blocks[-1]["elements"][0]["text"].startswith("…and over 955 more.")
