#!/usr/bin/env python3
"""End-to-end test of the web pages in a real headless Chromium (selenium + Debian's chromium-driver).

A newcomer signs in, browses the lead board, opens a lead, starts a 100 USDT copy, sees it in My Copies; the lead
trades and the copy fill appears without a reload; the newcomer adjusts the investment and stops the copy. The lead
then looks at its dashboard. Every page is screenshotted (desktop and phone width) into a git-ignored folder.

Usage: python3 Tests/e2e/browser_test.py [--binary .build/debug/smartsync] [--screenshots screenshots]
Needs: chromium, chromium-driver (Debian) and `pip install selenium`. Exits non-zero on the first failure.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

PORT = 18181
RETRY = (StaleElementReferenceException, NoSuchElementException)
BASE = f"http://127.0.0.1:{PORT}"


def api(method, path, key=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path} -> {error.code}: {error.read().decode()}")


def find_driver():
    for path in (os.environ.get("CHROMEDRIVER"), "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"):
        if path and os.path.exists(path):
            return path
    sys.exit("chromedriver not found: apt-get install chromium chromium-driver (or set CHROMEDRIVER)")


class Browser:
    def __init__(self, shots):
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
            options.add_argument(arg)
        if os.path.exists("/usr/bin/chromium"):
            options.binary_location = "/usr/bin/chromium"
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # The driver path is given explicitly: selenium's own driver download cannot reach the network here.
        self.driver = webdriver.Chrome(service=Service(executable_path=find_driver()), options=options)
        self.shots = shots
        self.wait = WebDriverWait(self.driver, 15, ignored_exceptions=RETRY)

    def open(self, path):
        self.driver.get(BASE + path)

    def q(self, css):
        return self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def visible(self, css):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, css):
        # Pages re-render on live events: an element found a moment ago may be replaced; find it again.
        for attempt in range(5):
            try:
                self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css))).click()
                return
            except StaleElementReferenceException:
                time.sleep(0.1)
        raise AssertionError(f"{css} kept being replaced")

    def text(self, css):
        return self.q(css).text

    def until(self, what, condition, timeout=15):
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=RETRY).until(lambda d: condition())
        except Exception:
            self.shot("failure")
            raise AssertionError(f"timed out waiting for {what}; page text:\n{self.driver.find_element(By.TAG_NAME, 'body').text[:2000]}")

    def type(self, css, text):
        element = self.visible(css)
        element.clear()
        element.send_keys(text)

    def shot(self, name):
        os.makedirs(self.shots, exist_ok=True)
        path = os.path.join(self.shots, f"{name}.png")
        # The whole page: grow the window to the page's height for the picture, then put it back.
        size = self.driver.get_window_size()
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size["width"], min(max(height + 140, size["height"]), 6000))
        time.sleep(0.2)
        self.driver.save_screenshot(path)
        self.driver.set_window_size(size["width"], size["height"])
        print(f"  screenshot {path}")

    def phone(self, on):
        self.driver.set_window_size(390, 844) if on else self.driver.set_window_size(1280, 1000)

    def no_horizontal_overflow(self, page):
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        inner = self.driver.execute_script("return window.innerWidth")
        assert width <= inner + 1, f"{page} scrolls sideways at phone width ({width} > {inner} px)"

    def only_same_origin_resources(self):
        urls = self.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        foreign = [u for u in urls if not (u.startswith(BASE) or u.startswith(BASE.replace("http", "ws")))]
        assert not foreign, f"pages loaded resources from elsewhere: {foreign}"

    def console_errors(self):
        # Script errors only: the 4xx answers this test provokes on purpose are logged as network errors.
        return [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE" and e.get("source") != "network"]


def step(text):
    print(f"- {text}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/smartsync")
    parser.add_argument("--screenshots", default="screenshots")
    args = parser.parse_args()
    shots = args.screenshots
    if os.path.isdir(shots):
        shutil.rmtree(shots)

    workdir = tempfile.mkdtemp(prefix="smartsync-e2e-")
    log = open(os.path.join(workdir, "serve.log"), "w+")
    # The demo market and people, on a clock so slow that only this test moves prices and places lead orders.
    server = subprocess.Popen(
        [args.binary, "serve", "--demo", "--demo-interval", "36000", "--db", os.path.join(workdir, "e2e.sqlite"), "--port", str(PORT)],
        stdout=log, stderr=subprocess.STDOUT)
    browser = None
    try:
        keys = {}
        for _ in range(120):
            log.seek(0)
            text = log.read()
            keys = dict(re.findall(r"^\s+(\w+)\s+(ssk_\w+)$", text, re.M))
            op = re.search(r"operator API key \(shown once\): (ssk_\w+)", text)
            if op and "newcomer" in keys and "listening" in text:
                keys["operator"] = op.group(1)
                break
            if server.poll() is not None:
                sys.exit(f"the server exited:\n{text}")
            time.sleep(0.5)
        else:
            sys.exit("the server did not start")

        step("some market history: the leads buy, then BTC and ETH move, so the charts have a shape")
        for lead, symbol in [("trend", "BTC-USDT"), ("balanced", "ETH-USDT"), ("swing", "BTC-USDT")]:
            cash = api("GET", f"/v1/leads/{lead}")["cash"]
            api("POST", "/v1/orders", keys[lead], {"symbol": symbol, "side": "buy", "quoteAmount": f"{float(cash) * 0.3:.2f}"})
        markets = {m["symbol"]: m["price"] for m in api("GET", "/v1/markets")}
        btc, eth = float(markets["BTC-USDT"]), float(markets["ETH-USDT"])
        for k, move in enumerate([1.01, 1.02, 0.99, 1.03, 1.01, 0.98, 1.02, 1.04]):
            btc, eth = btc * move, eth * (2 - move)
            api("POST", "/v1/prices", keys["operator"], {"symbol": "BTC-USDT", "price": f"{btc:.2f}"})
            api("POST", "/v1/prices", keys["operator"], {"symbol": "ETH-USDT", "price": f"{eth:.2f}"})

        browser = Browser(shots)
        b = browser

        step("the lead board, sorted by each statistic")
        b.open("/leads")
        b.q("#board tbody tr[data-lead]")
        assert len(b.driver.find_elements(By.CSS_SELECTOR, "#board tbody tr[data-lead]")) == 3
        b.shot("01-lead-board")
        for sort in ["pnl", "aum", "followers", "maxDrawdown", "winRate", "roi"]:
            b.click(f'button[data-sort="{sort}"]')
            b.until(f"sort {sort}", lambda: f"sort={sort}" in b.driver.current_url and "on" in b.q(f'button[data-sort="{sort}"]').get_attribute("class"))
        order = [r.get_attribute("data-lead") for r in b.driver.find_elements(By.CSS_SELECTOR, "#board tbody tr[data-lead]")]
        by_api = [l["user"] for l in api("GET", "/v1/leads?sort=roi")]
        assert order == by_api, f"board order {order} differs from the API's {by_api}"

        step("sign in: a wrong key shows the error next to the field, the right one signs in")
        b.click("#signin-link")
        b.type("#key", "ssk_not_a_key")
        b.click("#signin-button")
        b.until("the key error", lambda: "not valid" in b.text('[data-error-for="key"]'))
        b.shot("02-sign-in-error")
        b.type("#key", keys["newcomer"])
        b.click("#signin-button")
        b.until("signed in", lambda: b.text("#who-name") == "newcomer")
        b.until("the live stream", lambda: "on" in b.q("#live").get_attribute("class"))

        step("browse the board and open the trend lead's profile")
        b.click('a[data-nav="leads"]')
        b.click('#board tr[data-lead="trend"] a')
        b.until("the profile", lambda: b.text("h1").startswith("trend"))
        b.q("svg.chart path")
        assert "%" in b.text('[data-stat="roi"] .value')
        b.q("#weights tbody tr")
        b.shot("03-lead-profile")

        step("copy setup: the API's error appears next to the field; buy existing shows what it would buy")
        b.click("#copy-button")
        b.type("#investment", "50")
        b.click("#review-button")
        b.click("#confirm-button")
        b.until("the minimum investment error", lambda: "at least 100" in b.text('[data-error-for="investment"]'))
        b.shot("04-copy-setup-error")
        b.type("#investment", "100")
        b.click("#buyExisting")
        Select(b.q("#stopLossKind")).select_by_value("ratio")
        b.type("#stopLossValue", "150")
        b.click("#review-button")
        b.click("#confirm-button")
        b.until("the stop loss error", lambda: "at most 1" in b.text('[data-error-for="stopLoss"]'))
        b.type("#stopLossValue", "30")
        b.q("#preview")
        b.click("#review-button")
        b.visible("#confirm-box")
        assert "100 USDT" in b.text("#confirm-box") and "30.00%" in b.text("#confirm-box")
        b.shot("05-copy-setup-confirm")
        b.click("#confirm-button")

        step("the new copy is in My Copies")
        b.until("My Copies", lambda: "/copies" in b.driver.current_url and b.driver.find_elements(By.CSS_SELECTOR, "#copies tr[data-copy]"))
        copies = api("GET", "/v1/copies", keys["newcomer"])
        assert len(copies) == 1 and copies[0]["lead"] == "trend" and copies[0]["netInvested"] == "100", copies
        copy_id = copies[0]["id"]
        row = b.q(f'#copies tr[data-copy="{copy_id}"]')
        assert "active" in row.text and "100.00" in row.text, row.text
        b.shot("06-my-copies")

        step("copy details; the lead trades and the copy fill appears without a reload")
        b.click(f'#copies tr[data-copy="{copy_id}"] a[href^="/copies/"]')
        b.q("#fills")
        b.shot("07-copy-details")
        before = len(b.driver.find_elements(By.CSS_SELECTOR, "#fills tr[data-event]"))
        b.driver.execute_script("window.__sameDocument = 'yes'")
        lead = api("GET", "/v1/leads/trend")
        spend = f"{float(lead['cash']) * 0.4:.2f}"
        api("POST", "/v1/orders", keys["trend"], {"symbol": "BTC-USDT", "side": "buy", "quoteAmount": spend})
        b.until("the new copy fill", lambda: len(b.driver.find_elements(By.CSS_SELECTOR, "#fills tr[data-event]")) > before)
        assert b.driver.execute_script("return window.__sameDocument") == "yes", "the page was reloaded"
        fill_row = b.driver.find_elements(By.CSS_SELECTOR, "#fills tr[data-event]")[0]
        assert "BTC-USDT" in fill_row.text and "buy" in fill_row.text, fill_row.text
        for move in [1.02, 1.01, 0.97, 1.03]:
            btc *= move
            api("POST", "/v1/prices", keys["operator"], {"symbol": "BTC-USDT", "price": f"{btc:.2f}"})
        b.until("the equity chart follows the prices", lambda: len(b.driver.find_elements(By.CSS_SELECTOR, "svg.chart circle")) == 2 and
                len(api("GET", f"/v1/copies/{copy_id}/equity-curve", keys["newcomer"])) >= 6)
        time.sleep(2)  # the page redraws at most every so often on price events
        b.shot("08-copy-fill-live")

        step("adjust the investment: +50 USDT, with an impatient double click that must add it once")
        b.type("#delta", "50")
        ActionChains(b.driver).double_click(b.visible("#add-button")).perform()
        b.until("invested 150", lambda: "150.00" in b.text('[data-stat="invested"] .value'))
        time.sleep(1)
        assert api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])["netInvested"] == "150"
        b.type("#delta", "5000")
        b.click("#add-button")
        b.until("the funds error", lambda: b.text('#adjust-form [data-error-for="delta"]') != "")
        b.shot("09-copy-adjusted")

        step("stop the copy, after a confirmation")
        b.click("#stop-button")
        b.visible("#confirm-modal")
        b.shot("10-stop-confirmation")
        b.click("#confirm-no")
        assert api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])["status"] == "active"
        b.click("#stop-button")
        b.click("#confirm-yes")
        b.until("stopped", lambda: b.text("#copy-status") == "stopped")
        copy = api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])
        assert copy["status"] == "stopped" and copy["stopReason"] == "follower" and copy["equity"] == "0", copy
        b.shot("11-copy-stopped")
        b.click('a[data-nav="copies"]')
        b.until("My Copies shows it stopped", lambda: "stopped" in b.q(f'#copies tr[data-copy="{copy_id}"]').text)

        step("phone width: every page fits without sideways scrolling")
        b.phone(True)
        for name, path in [("board", "/leads"), ("profile", "/leads/trend"), ("setup", "/copy/trend"), ("copies", "/copies"),
                           ("details", f"/copies/{copy_id}"), ("signin", "/signin")]:
            b.open(path)
            b.q("main h1")
            time.sleep(0.3)
            b.no_horizontal_overflow(name)
            b.shot(f"phone-{name}")
        b.phone(False)
        b.only_same_origin_resources()

        step("the lead's dashboard: followers, AUM, profit share earned, its own orders")
        b.click("#signout")
        b.open("/signin?next=/dashboard")
        b.type("#key", keys["trend"])
        b.click("#signin-button")
        b.until("the dashboard", lambda: b.text("h1").startswith("Lead dashboard"))
        b.q("#followers tbody tr")
        assert "USDT" in b.text('[data-stat="aum"] .value') and "USDT" in b.text('[data-stat="earned"] .value')
        assert "BTC-USDT" in b.text(".lead-fills")
        b.type("#order-amount", "10")
        Select(b.q("#order-side")).select_by_value("sell")
        fills_before = len(api("GET", "/v1/leads/trend/fills"))
        b.click("#order-button")
        b.until("the lead's sell", lambda: len(api("GET", "/v1/leads/trend/fills")) == fills_before + 1)
        b.shot("12-lead-dashboard")
        b.phone(True)
        b.open("/dashboard")
        b.q("#followers")
        b.no_horizontal_overflow("dashboard")
        b.shot("phone-dashboard")

        errors = b.console_errors()
        assert not errors, f"the browser console has errors: {errors}"
        print(f"browser test passed; screenshots in {shots}/")
    finally:
        if browser:
            browser.driver.quit()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
