from datetime import datetime, timezone

from jobs.scheduler import build_scheduler


def test_worker_runs_a_tick_at_start_and_delivers(slack, services, clock, fake_slack):
    slack.command('add-project "Acme Website" <#C07SHARED01|x> client="Acme Corp"')
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    scheduler = build_scheduler(services, blocking=False)
    scheduler.start()
    assert {job.id for job in scheduler.get_jobs()} == {"tick", "deliver"}
    try:
        [post] = fake_slack.wait_for("chat.postMessage", where=lambda a: a["channel"] == "C07SHARED01"
                                     and "weekly update" in a["text"].lower(), timeout=15)
    finally:
        scheduler.shutdown(wait=True)
    assert post["metadata"]["event_type"] == "expect_post"
