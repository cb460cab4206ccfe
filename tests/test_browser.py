"""The web app in a real Chromium (Debian's chromium and chromium-driver, driven by Selenium):
click from the front page to a story, an event and an article, toggle the removed
boilerplate, search, and check that a hostile article's script shows as text.
Skipped where Chromium, its driver or Selenium is missing; screenshots go to
``artifacts/screenshots/``."""

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("uvicorn")
CHROMIUM, DRIVER = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromium-driver are not installed")

import uvicorn  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from storyweave import Pipeline  # noqa: E402
from storyweave.web import create_app  # noqa: E402

SEEDS = Path(__file__).parent.parent / "examples" / "seeds"
SHOTS = Path(__file__).parent.parent / "artifacts" / "screenshots"
HOSTILE = {"id": "x", "title": "<script>alert('title')</script> Harbour news",
           "text": "<img src=x onerror=alert('body')> The harbour of Lindholm reopened on Monday after the storm, "
                   "the port authority said. Ships were waiting outside the breakwater for two days.",
           "lang": "en", "published": "2024-03-04"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    (folder / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n")
    db = folder / "site.db"
    with Pipeline(db, encoder="hashing") as pipeline:
        pipeline.run([SEEDS, folder / "hostile.jsonl"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db, encoder="hashing"), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _shot(browser, name: str) -> None:
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def test_click_from_stories_to_an_article_and_show_what_cleaning_removed(site, browser):
    browser.get(site)
    _shot(browser, "front")
    browser.find_element(By.CSS_SELECTOR, "a.story").click()
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart, ul.summary")
    _shot(browser, "story")
    browser.find_element(By.CSS_SELECTOR, "a.event").click()
    _shot(browser, "event")
    browser.find_element(By.CSS_SELECTOR, "a.article").click()
    removed = browser.find_element(By.ID, "removed")
    assert not removed.is_displayed()
    browser.find_element(By.ID, "toggle-removed").click()
    assert removed.is_displayed()
    _shot(browser, "article")


def test_search_finds_articles(site, browser):
    browser.get(site)
    box = browser.find_element(By.NAME, "q")
    box.send_keys("Erdogan")
    box.submit()
    hits = browser.find_elements(By.CSS_SELECTOR, "a.hit")
    assert hits and all("/articles/" in h.get_attribute("href") for h in hits)
    _shot(browser, "search")


def test_a_script_in_an_article_shows_as_text(site, browser):
    browser.get(f"{site}/search?q=Lindholm")
    browser.find_element(By.CSS_SELECTOR, "a.hit").click()  # an alert would make the next calls fail
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("<script>alert('title')</script>")
    assert "onerror=alert" in browser.find_element(By.CSS_SELECTOR, "div.body").text
    assert not browser.find_elements(By.CSS_SELECTOR, "div.body img")
    _shot(browser, "hostile")
