import os

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from slack_sdk import WebClient

from tests.test_install import ACME, distribution, rows, site  # noqa: F401  (fixtures)

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


@pytest.fixture
def browser(tmp_path):
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if missing:
        reason = f"the browser test needs {' and '.join(missing)}: apt-get install chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def titled(browser, title):
    WebDriverWait(browser, 20).until(lambda b: b.title == title)
    return browser.find_element(By.TAG_NAME, "main").text


def test_add_to_slack_then_allow_installs_expect(site, fake_slack, distribution, browser):
    browser.get(f"{site}/slack/install")
    titled(browser, "Add expect to Slack")
    browser.find_element(By.LINK_TEXT, "Add to Slack").click()
    assert "Acme Agency" in titled(browser, "Allow expect? | Slack")
    browser.find_element(By.ID, "allow").click()
    page = titled(browser, "expect is installed")
    assert "/invite @expect" in page and "/expect add-project" in page
    bot = distribution.installations.find_bot(enterprise_id=None, team_id=ACME)
    assert WebClient(token=bot.bot_token, base_url=fake_slack.base_url).auth_test()["team_id"] == ACME


def test_add_to_slack_then_cancel_installs_nothing(site, fake_slack, distribution, browser):
    browser.get(f"{site}/slack/install")
    titled(browser, "Add expect to Slack")
    browser.find_element(By.LINK_TEXT, "Add to Slack").click()
    titled(browser, "Allow expect? | Slack")
    browser.find_element(By.ID, "deny").click()
    assert "cancelled" in titled(browser, "expect was not installed")
    assert rows(distribution) == 0
