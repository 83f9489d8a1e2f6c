from bot import ids
from bot.models.delays import DelayAlert
from tests.expectations_support import ADD, deliver, of_kind, rendered, rows, tick, utc
from tests.slackreq import SHARED


def test_wrap_up_keeps_quiet_date_corrections_internal(slack, services, fake_slack, clock):
    slack.command(ADD)
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('risk acme-website Launch "Keys missing"')
    deliver(services)
    [alert] = rows(services, DelayAlert)
    values = {ids.DELAY_MOVE_DATE: {ids.DELAY_MOVE_DATE: {"type": "datepicker", "selected_date": "2026-12-18"}},
              ids.DELAY_MOVE_NOTE: {ids.DELAY_MOVE_NOTE: {"type": "plain_text_input",
                                                          "value": "Our estimate was a typo, don't tell them"}}}
    assert slack.view_submission(ids.DELAY_MOVE_VIEW, values, private_metadata=str(alert.id)).status == 200
    slack.command('done acme-website "Launch"')
    tick(services, clock, utc(2026, 11, 26, 9))
    [wrap] = of_kind(fake_slack, SHARED, "checkin")
    assert "complete" in rendered(wrap)
    assert "don't tell them" not in rendered(wrap) and "What moved" not in rendered(wrap)
