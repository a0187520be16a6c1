"""The dashboard in a real browser (headless Chromium, Selenium), against a real `serve` and the
Qdrant stand-in: load the page, back up two collections and watch the progress bars move, cancel
and resume a job, see an archive appear and verify it; with an admin token the page does nothing
until the token is given. Every view is photographed, wide and 360 px narrow, light and dark, into
.build/test-artifacts/ui/ (not committed). Runs only against the stand-in: it slows the stand-in's
scrolls with a `delay` fault so that a progress bar has time to move."""
import base64
import json
import html.parser
import subprocess
import urllib.error
import urllib.request

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ARTIFACTS, ROOT

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
VIEWS = ["health", "collections", "archives", "jobs", "schedules", "actions"]
WAIT = 120  # seconds: an upper bound for a loaded machine, never a measurement


def wait(driver, condition, message, seconds=WAIT):
    # Live updates redraw the views, so an element found a moment ago may be gone: look again.
    return WebDriverWait(driver, seconds, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda _: condition(), message)


def screenshot(driver, name):
    """The whole page (beyond the window's height) as ARTIFACTS/NAME.png."""
    height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
    # The window's width, not the content's: captured at full height the page has no scroll bar,
    # and lays out over the scroll bar's width too.
    width = driver.execute_script("return window.innerWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def set_scheme(driver, scheme):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def show(driver, view):
    """Opens a view by its tab and waits until it has been drawn afresh (a tab reloads its view)."""
    renders = lambda: driver.execute_script("return document.getElementById(arguments[0]).dataset.renders", f"view-{view}")
    before = renders() if driver.execute_script("return location.hash") != f"#{view}" else None
    driver.find_element(By.ID, f"tab-{view}").click()
    if before is not None:
        wait(driver, lambda: renders() != before, f"the {view} view was not drawn again")
    wait(driver, lambda: driver.find_element(By.ID, f"view-{view}").is_displayed(), f"the {view} view is not shown")
    wait(driver, lambda: "Loading…" not in driver.find_element(By.ID, f"view-{view}").text, f"the {view} view stays loading")


def job_ids(driver):
    """The jobs the page shows, newest first (read in the page: live updates redraw the cards)."""
    return driver.execute_script("return [...document.querySelectorAll('#view-jobs li.job')].map((card) => card.dataset.job)")


def progress_value(driver, job_id, item):
    return driver.execute_script("""
        const bar = document.querySelector(`li.job[data-job="${arguments[0]}"] progress[data-item="${arguments[1]}"]`);
        return bar && bar.hasAttribute('value') ? bar.value : 0;""", job_id, item)


def fill_operation(driver, operation, fields):
    """Chooses an operation in the Actions view and fills its generated form."""
    show(driver, "actions")
    driver.find_element(By.CSS_SELECTOR, f'[data-operation="{operation}"]').click()
    form = driver.find_element(By.ID, f"form-{operation}")
    details = form.find_element(By.TAG_NAME, "details")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    for name, value in fields.items():
        control = form.find_element(By.ID, f"{operation}-{name}")
        if control.tag_name == "select":
            Select(control).select_by_value(value)
        elif control.get_attribute("type") == "checkbox":
            if control.is_selected() != value:
                control.click()
        else:
            control.clear()
            control.send_keys(value)
    return form


def submit_job(driver, operation, fields, confirm=False):
    """Submits a job form and returns the new job's id, read from the notice."""
    before = set(job_ids(driver))
    form = fill_operation(driver, operation, fields)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    if confirm:
        wait(driver, lambda: driver.find_element(By.ID, "confirm").is_displayed(), "no confirmation was asked for")
        driver.find_element(By.ID, "confirm-yes").click()
    wait(driver, lambda: driver.find_element(By.ID, "view-jobs").is_displayed(), "the page did not move to the jobs view")
    wait(driver, lambda: set(job_ids(driver)) - before, "the new job never appeared")
    return (set(job_ids(driver)) - before).pop()


def job_state(driver, job_id):
    return driver.execute_script("const card = document.querySelector(`li.job[data-job=\"${arguments[0]}\"]`); return card && card.dataset.state;",
                                 job_id)


def photograph_views(driver, tag):
    for view in VIEWS:
        show(driver, view)
        screenshot(driver, f"{tag}-{view}")


def reachable_by_keyboard(driver):
    """Tabs through the page from the top; returns the visible controls never focused."""
    controls = driver.execute_script("""
        const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')];
        return all.filter((node) => !node.disabled && node.checkVisibility({visibilityProperty: true}) && !node.closest('dialog'));""")
    # From the top of the page, as a keyboard user starts (a click could press a button).
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    reached = set()
    # Scrollable boxes take a Tab stop of their own too, so allow more presses than controls.
    for _ in range(3 * len(controls) + 20):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        reached.add(driver.switch_to.active_element.id)
        if all(control.id in reached for control in controls):
            break
    return [control for control in controls if control.id not in reached]


class InlineFinder(html.parser.HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' would block in a page."""

    def __init__(self):
        super().__init__()
        self.inline = []
        self.open_script = False

    def handle_starttag(self, tag, attributes):
        names = dict(attributes)
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            self.open_script = True
            if "src" not in names:
                self.inline.append("<script> without src")
        for name, value in attributes:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{tag} {name}={value!r}")
            if value and value.strip().lower().startswith("javascript:"):
                self.inline.append(f"{tag} {name}={value!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.open_script = False

    def handle_data(self, data):
        if self.open_script and data.strip():
            self.inline.append("script body")


def test_embedded_assets_are_current():
    result = subprocess.run(["python3", str(ROOT / "Sources/QdrantBackupServer/Dashboard/Assets/embed.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_page_is_served_with_a_strict_policy_and_no_inline_code(serve):
    for path in ("/", "/admin/backup/ui"):
        status, headers, body = serve.api("GET", path)
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        assert headers["Content-Security-Policy"] == CSP
        assert headers["X-Content-Type-Options"] == "nosniff"
        finder = InlineFinder()
        finder.feed(body)
        assert finder.inline == [], f"{path} holds inline code a strict CSP blocks: {finder.inline}"
        assert '<script src="/admin/backup/ui/dashboard.js"' in body
    for name, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        status, headers, _ = serve.api("GET", f"/admin/backup/ui/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind)
        assert headers["Content-Security-Policy"] == CSP
    assert serve.api("GET", "/admin/backup/ui/secrets.json")[0] == 404


def test_page_needs_no_token_but_its_data_does(serve_with_token):
    assert serve_with_token.api("GET", "/", token="wrong")[0] == 200
    status, _, body = serve_with_token.api("GET", "/admin/backup/jobs", token="wrong")
    assert status == 401, body


def test_a_foreign_page_cannot_use_the_api_but_the_dashboard_can(serve):
    port = serve.url.rsplit(":", 1)[1]
    foreign = urllib.request.Request(serve.url + "/admin/backup/jobs", headers={"Origin": "https://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(foreign, timeout=30)
    assert refused.value.code == 403
    same = urllib.request.Request(serve.url + "/admin/backup/jobs", headers={"Origin": f"http://127.0.0.1:{port}"})
    with urllib.request.urlopen(same, timeout=30) as response:
        assert response.status == 200


def test_dashboard_backs_up_cancels_resumes_and_verifies(browser, serve, stand_in):
    driver = browser
    stand_in.create_collection("movies", 3000)
    stand_in.create_collection("books", 2000)
    set_scheme(driver, "light")
    driver.get(serve.url + "/")
    wait(driver, lambda: driver.find_element(By.ID, "connection").text == "live", "the event stream never connected")
    cards = driver.find_elements(By.CSS_SELECTOR, "#view-health .card")
    assert len(cards) == 2 and all("healthy" in card.text and "unhealthy" not in card.text for card in cards)
    show(driver, "collections")
    assert "movies" in driver.find_element(By.ID, "view-collections").text

    # A backup of two collections, scrolled slowly enough for the bars to be seen moving.
    stand_in.slow_scrolls(0.4)
    backup = submit_job(driver, "start", {"collections": "movies, books", "method": "scroll", "target_prefix": "dev_",
                                          "batch_size": "100", "keep_archive": True})
    wait(driver, lambda: progress_value(driver, backup, "movies") > 0, "the movies bar never started")
    first = progress_value(driver, backup, "movies")
    wait(driver, lambda: progress_value(driver, backup, "movies") > first, "the movies bar never moved")
    screenshot(driver, "wide-light-jobs-running")
    stand_in.clear_faults()
    wait(driver, lambda: job_state(driver, backup) == "succeeded", "the backup never succeeded")
    card = driver.find_element(By.CSS_SELECTOR, f'li.job[data-job="{backup}"]')
    assert "dev_movies" in card.text and "dev_books" in card.text

    # An export held by a slow stand-in, cancelled (after confirming), then resumed to the end.
    stand_in.slow_scrolls(30)
    export = submit_job(driver, "export", {"collections": "books", "method": "scroll", "batch_size": "100", "timestamp": True})
    wait(driver, lambda: job_state(driver, export) == "running", "the export never ran")
    driver.find_element(By.CSS_SELECTOR, f'li.job[data-job="{export}"] button.danger').click()
    wait(driver, lambda: driver.find_element(By.ID, "confirm").is_displayed(), "cancelling asked for no confirmation")
    screenshot(driver, "wide-light-confirm-cancel")
    driver.find_element(By.ID, "confirm-yes").click()
    wait(driver, lambda: job_state(driver, export) in ("cancelling", "cancelled"), "the cancel did not reach the job")
    stand_in.clear_faults()
    wait(driver, lambda: job_state(driver, export) == "cancelled", "the export never ended cancelled")
    driver.find_element(By.CSS_SELECTOR, f'li.job[data-job="{export}"]').find_element(By.XPATH, ".//button[text()='Resume']").click()
    wait(driver, lambda: job_state(driver, export) == "succeeded", "the resumed export never succeeded")

    # The archives appear, grouped by collection; one is verified from the page.
    show(driver, "archives")
    wait(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, "#view-archives button.verify")) >= 3,
         "the archives never appeared")
    groups = [group.get_attribute("aria-label") for group in driver.find_elements(By.CSS_SELECTOR, "#view-archives section.group")]
    assert groups == ["archives of books", "archives of movies"]
    books = driver.find_element(By.CSS_SELECTOR, '#view-archives section.group[aria-label="archives of books"]')
    assert len(books.find_elements(By.CSS_SELECTOR, "button.verify")) == 2
    name = books.find_element(By.CSS_SELECTOR, "button.verify").get_attribute("data-archive")
    books.find_element(By.CSS_SELECTOR, "button.verify").click()
    wait(driver, lambda: driver.find_elements(
        By.XPATH, f'//button[@data-archive="{name}"]/ancestor::tr//span[contains(@class, "badge") and text()="verified"]'),
        "the archive was never shown verified")

    # Validation, synchronous: the report appears under the form.
    form = fill_operation(driver, "validate", {"source_collection": "movies", "target_collection": "dev_movies"})
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver, lambda: "equal" in driver.find_element(By.ID, "view-actions").text, "no validation report")

    # Every control of the busiest views can be reached with the keyboard alone.
    for view in ("jobs", "archives", "actions"):
        show(driver, view)
        driver.execute_script("document.querySelectorAll('#view-actions details').forEach((details) => { details.open = true; })")
        missed = reachable_by_keyboard(driver)
        assert missed == [], f"{view}: never focused by Tab: {[control.get_attribute('outerHTML')[:80] for control in missed]}"

    photograph_views(driver, "wide-light")
    set_scheme(driver, "dark")
    photograph_views(driver, "wide-dark")
    driver.set_window_size(360, 800)
    photograph_views(driver, "narrow-dark")
    set_scheme(driver, "light")
    photograph_views(driver, "narrow-light")
    driver.set_window_size(1280, 900)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1280

    problems = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert problems == [], f"the browser console reported: {problems}"


def test_with_a_token_the_page_acts_only_once_it_is_given(browser, serve_with_token):
    driver = browser
    set_scheme(driver, "light")
    driver.set_window_size(1280, 900)
    driver.get(serve_with_token.url + "/admin/backup/ui")
    wait(driver, lambda: driver.find_element(By.ID, "token-form").is_displayed(), "the page never asked for the token")
    assert not driver.find_element(By.ID, "views").is_displayed()
    assert driver.find_elements(By.CSS_SELECTOR, "form.operation") == [], "an action form was offered before the token"
    screenshot(driver, "wide-light-token")
    field = driver.find_element(By.ID, "token-input")
    field.send_keys("not-the-token")
    field.send_keys(Keys.ENTER)
    wait(driver, lambda: "refused" in driver.find_element(By.ID, "token-problem").text, "a wrong token was not refused")
    _, _, jobs = serve_with_token.api("GET", "/admin/backup/jobs")
    assert '"jobs":[]' in jobs.replace(" ", "")
    field = driver.find_element(By.ID, "token-input")
    field.send_keys(serve_with_token.token)
    field.send_keys(Keys.ENTER)
    wait(driver, lambda: driver.find_element(By.ID, "connection").text == "live", "the token did not open the event stream")
    wait(driver, lambda: len(driver.find_elements(By.CSS_SELECTOR, "#view-health .card")) == 2, "no servers after the token")
    assert serve_with_token.token not in driver.current_url
    assert driver.execute_script("return document.cookie") == ""
    export = submit_job(driver, "export", {"collections": "movies", "method": "scroll"})
    wait(driver, lambda: job_state(driver, export) == "succeeded", "the export with the token never succeeded")


def test_without_the_event_stream_the_page_polls(browser, serve, stand_in):
    driver = browser
    driver.set_window_size(1280, 900)
    stand_in.create_collection("polled", 300)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/admin/backup/events*"]})
    try:
        driver.get(serve.url + "/#jobs")
        wait(driver, lambda: driver.find_element(By.ID, "connection").text.startswith("polling"),
             "the page did not fall back to polling")
        status, _, body = serve.api("POST", "/admin/backup/export", {"collections": ["polled"], "method": "scroll"})
        assert status == 202, body
        job = json.loads(body)["job_id"]
        wait(driver, lambda: job_state(driver, job) == "succeeded", "a job started elsewhere never showed succeeded by polling")
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def schedule_rows(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#view-schedules tbody tr')].map((row) => [...row.cells].map((cell) => cell.textContent))")


def test_schedules_show_their_next_run_and_one_is_deleted_after_confirming(browser, serve, stand_in):
    driver = browser
    driver.set_window_size(1280, 900)
    stand_in.create_collection("nightly", 50)
    status, _, body = serve.api("POST", "/admin/backup/schedules", {
        "id": "nightly-export", "cron": "0 2 * * *", "time_zone": "Europe/Berlin", "kind": "export",
        "request": {"collections": ["nightly"], "method": "scroll", "timestamp": True},
        "retention": {"keep_daily": 7}})
    assert status == 201, body
    next_run = json.loads(body)["next_run"]
    try:
        driver.get(serve.url + "/")
        show(driver, "schedules")
        wait(driver, lambda: any(row and row[0] == "nightly-export" for row in schedule_rows(driver)), "the schedule is not listed")
        row = next(row for row in schedule_rows(driver) if row[0] == "nightly-export")
        assert row[1] == "0 2 * * * (Europe/Berlin)" and row[2] == "export" and row[6] == "api", row
        # The page shows the server's next run (in UTC, to the second).
        assert row[3] == next_run.replace("T", " "), (row, next_run)
        screenshot(driver, "schedules-listed")
        driver.find_element(By.CSS_SELECTOR, '[data-focus="delete-schedule-nightly-export"]').click()
        wait(driver, lambda: driver.find_element(By.ID, "confirm").is_displayed(), "deleting asked for no confirmation")
        driver.find_element(By.ID, "confirm-yes").click()
        wait(driver, lambda: not any(row and row[0] == "nightly-export" for row in schedule_rows(driver)),
             "the deleted schedule is still listed")
        status, _, _ = serve.api("GET", "/admin/backup/schedules/nightly-export")
        assert status == 404
    finally:
        serve.api("DELETE", "/admin/backup/schedules/nightly-export")
