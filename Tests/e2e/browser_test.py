#!/usr/bin/env python3
"""End-to-end test of the web pages in a real headless Chromium (selenium + Debian's chromium-driver).

A newcomer starts signed out on the lead board, clicks Copy and is sent to the sign-in page, signs in and lands on
the copy setup; starts a 100 USDT copy, sees it in My Copies; the lead trades (many times: fills and failed copy
orders, in pages) and the copy follows without a reload; a fill's receipt is downloaded and checked by
`smartsync verify-receipt`; the newcomer adjusts the investment, sets a stop loss and
take profit, looks at the page on a phone, stops the copy; saves a stop loss and a take profit that are already
reached (the page asks first). The lead then uses its dashboard: portfolio, orders (market, limit, refused),
settings, removing a follower, stopping. Every page is screenshotted (desktop and phone width) into a git-ignored
folder.

Usage: python3 Tests/e2e/browser_test.py [--binary .build/debug/smartsync] [--screenshots screenshots]
Needs: chromium, chromium-driver (Debian) and `pip install selenium`. Exits non-zero on the first failure.
The server inherits this process's environment (SMARTSYNC_WEB_DIR=Sources/SmartSyncAssets/Public serves the pages
from disk while developing them).
"""
import argparse
import hashlib
import hmac
import json
import threading
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

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
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


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


def usd(text):
    """An amount as the pages show it: 2 decimals, rounded half away from zero, grouped."""
    return f"{Decimal(text).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


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
        # Downloads (a receipt, a statement) land here, where the journey reads them.
        self.downloads = tempfile.mkdtemp(prefix="smartsync-downloads-")
        options.add_experimental_option("prefs", {"download.default_directory": self.downloads, "download.prompt_for_download": False})
        # The driver path is given explicitly: selenium's own driver download cannot reach the network here.
        self.driver = webdriver.Chrome(service=Service(executable_path=find_driver()), options=options)
        self.shots = shots
        self.wait = WebDriverWait(self.driver, 15, ignored_exceptions=RETRY)
        self.on_phone = False
        self.errors = []

    def open(self, path):
        self.errors += self.console_errors()  # the log of the page being left
        self.driver.get(BASE + path)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def q(self, css):
        return self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

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

    def select(self, css, value):
        # As `click`: a live event may re-render the form between finding the select and choosing in it.
        for attempt in range(5):
            try:
                Select(self.q(css)).select_by_value(value)
                return
            except StaleElementReferenceException:
                time.sleep(0.1)
        raise AssertionError(f"{css} kept being replaced")

    def text(self, css):
        for attempt in range(5):
            try:
                return self.q(css).text
            except StaleElementReferenceException:
                time.sleep(0.1)
        raise AssertionError(f"{css} kept being replaced")

    def until(self, what, condition, timeout=15):
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=RETRY).until(lambda d: condition())
        except Exception:
            self.shot("failure")
            raise AssertionError(f"timed out waiting for {what}; at {self.driver.current_url}, page text:\n"
                                 f"{self.driver.find_element(By.TAG_NAME, 'body').text[:2000]}")

    def type(self, css, text):
        element = self.visible(css)
        element.clear()
        element.send_keys(text)

    def shot(self, name):
        os.makedirs(self.shots, exist_ok=True)
        path = os.path.join(self.shots, f"{name}.png")
        # The whole page: grow the window (or the emulated phone screen) to the page's height, then put it back.
        height = self.js("return document.documentElement.scrollHeight")
        if self.on_phone:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", dict(PHONE, height=min(max(height, 844), 6000)))
            time.sleep(0.2)
            self.driver.save_screenshot(path)
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        else:
            size = self.driver.get_window_size()
            self.driver.set_window_size(size["width"], min(max(height + 140, size["height"]), 6000))
            time.sleep(0.2)
            self.driver.save_screenshot(path)
            self.driver.set_window_size(size["width"], size["height"])
        print(f"  screenshot {path}")

    def phone(self, on):
        # Headless Chrome's window cannot be narrower than 500 px: a phone's screen is emulated instead.
        if on:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.on_phone = on

    def dark(self, on):
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark" if on else "light"}]})

    def fits_phone(self, page):
        inner, width, body = self.js("return [window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth]")
        # A page wider than the screen makes a mobile browser zoom out (innerWidth grows): the check must see 390.
        assert inner == 390, f"{page}: the viewport is {inner} px wide, not the phone's 390 (the page is too wide to fit)"
        assert width <= inner and body <= inner, f"{page} scrolls sideways at phone width ({width}/{body} > {inner} px)"
        # Nor does any part of it (a table in a box that scrolls sideways hides its last columns).
        boxes = self.js("""return [...document.querySelectorAll('body *')].filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
            && e.scrollWidth > e.clientWidth + 1).map(e => (e.firstElementChild && e.firstElementChild.id) || e.id || e.className)""")
        assert not boxes, f"{page}: parts scroll sideways at phone width: {boxes}"
        header = self.js("return document.querySelector('header.top').getBoundingClientRect().height")
        assert header <= 110, f"{page}: the header is {header} px high on a phone"
        return header

    def readable_charts(self, page):
        """Every chart's text is at least 11 px as shown (its font size times the scale the chart is drawn at)."""
        smallest = self.js("""let min = 1e9;
            for (const svg of document.querySelectorAll('svg.chart')) {
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              for (const t of svg.querySelectorAll('text')) min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * scale);
            }
            return min;""")
        assert smallest >= 11, f"{page}: chart text is {smallest:.1f} px as shown"

    def only_same_origin_resources(self):
        urls = self.js("return performance.getEntriesByType('resource').map(e => e.name)")
        foreign = [u for u in urls if not (u.startswith(BASE) or u.startswith(BASE.replace("http", "ws")))]
        assert not foreign, f"pages loaded resources from elsewhere: {foreign}"

    def console_errors(self):
        # Script errors only: the 4xx answers this test provokes on purpose are logged as network errors.
        return [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE" and e.get("source") != "network"]

    def confirm(self, answer, must_mention=()):
        """The confirmation dialog is up; answers it (yes or no) after checking what it says."""
        box = self.visible("#confirm-modal")
        text = box.text
        for words in must_mention:
            assert words in text, f"the confirmation does not mention {words!r}: {text}"
        self.click("#confirm-yes" if answer else "#confirm-no")
        if not answer:
            self.until("the dialog closed", lambda: not self.all("#confirm-modal"))
        return text

    def sign_in_page(self, next_path):
        """The browser is on the sign-in page (its form showing, not Loading…), which will go on to next_path."""
        def there():
            url = urlparse(self.driver.current_url)
            return url.path == "/signin" and parse_qs(url.query).get("next") == [next_path] and self.all("#signin-form")
        self.until(f"the sign-in page for {next_path}", there)
        assert self.visible("#signin-form").is_displayed() and self.visible("#key").is_displayed()
        assert "Loading" not in self.text("main"), self.text("main")

    def transfer_bytes(self, match=None):
        """Bytes fetched by this document: the navigation, then XHR/fetch resources (matching `match` if given)."""
        return self.js("""
            const nav = performance.getEntriesByType('navigation').reduce((a, e) => a + e.transferSize, 0);
            const res = performance.getEntriesByType('resource').filter(e => ['fetch', 'xmlhttprequest'].includes(e.initiatorType));
            const other = performance.getEntriesByType('resource').filter(e => !['fetch', 'xmlhttprequest'].includes(e.initiatorType));
            const m = arguments[0];
            const mine = m ? res.filter(e => new URL(e.name).pathname === m) : res;
            return { nav, fetch: mine.reduce((a, e) => a + e.transferSize, 0), count: mine.length,
                     other: other.reduce((a, e) => a + e.transferSize, 0) };""", match)


def step(text):
    print(f"- {text}", flush=True)


def start_server(binary, workdir, port, interval):
    log = open(os.path.join(workdir, f"serve-{port}.log"), "w+")
    # The demo market and people; with a slow clock only this test moves prices and places lead orders.
    server = subprocess.Popen(
        [binary, "serve", "--demo", "--demo-interval", str(interval), "--db", os.path.join(workdir, f"e2e-{port}.sqlite"), "--port", str(port),
         "--hook-hosts", "127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    for _ in range(120):
        log.seek(0)
        text = log.read()
        keys = dict(re.findall(r"^\s+(\w+)\s+(ssk_\w+)$", text, re.M))
        op = re.search(r"operator API key \(shown once\): (ssk_\w+)", text)
        if op and "newcomer" in keys and "listening" in text:
            keys["operator"] = op.group(1)
            return server, keys
        if server.poll() is not None:
            sys.exit(f"the server exited:\n{text}")
        time.sleep(0.5)
    server.kill()
    sys.exit("the server did not start")


class Market:
    """Prices this test sets through the operator API."""
    def __init__(self, operator):
        self.operator = operator
        self.prices = {m["symbol"]: Decimal(m["price"]) for m in api("GET", "/v1/markets")}

    def move(self, symbol, factor):
        self.prices[symbol] = (self.prices[symbol] * Decimal(str(factor))).quantize(Decimal("0.01"))
        api("POST", "/v1/prices", self.operator, {"symbol": symbol, "price": str(self.prices[symbol])})


class HookReceiver:
    """A webhook receiver on 127.0.0.1: keeps every delivery with its headers, answers 204."""
    def __init__(self):
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def journey(b, keys, market, binary):
    started = time.time()

    step("some market history: the leads buy, then BTC and ETH move, so the charts have a shape")
    for lead, symbol in [("trend", "BTC-USDT"), ("balanced", "ETH-USDT"), ("swing", "BTC-USDT")]:
        cash = api("GET", f"/v1/leads/{lead}")["cash"]
        api("POST", "/v1/orders", keys[lead], {"symbol": symbol, "side": "buy", "quoteAmount": f"{float(cash) * 0.3:.2f}"})
    for move in [1.01, 1.02, 0.99, 1.03, 1.01, 0.98, 1.02, 1.04]:
        market.move("BTC-USDT", move)
        market.move("ETH-USDT", 2 - move)

    # ---- signed out ----
    step("signed out on the board, Copy goes to the sign-in page")
    b.open("/leads")
    b.q("#board tbody tr[data-lead]")
    b.until("the market's date in the header", lambda: "2021-" in b.text("#market"))
    b.click('#board a[data-copy="trend"]')
    b.sign_in_page("/copy/trend")

    step("signed out, My copies, the lead dashboard and a stored key that is not valid all end on the sign-in page")
    b.click('a[data-nav="leads"]')
    b.q("#board tbody tr[data-lead]")
    b.click('a[data-nav="copies"]')
    b.sign_in_page("/copies")
    b.shot("02-sign-in-for-my-copies")
    b.click('a[data-nav="dashboard"]')
    b.sign_in_page("/dashboard")
    b.js("localStorage.setItem('smartsync.key', 'ssk_bogus')")
    b.open("/copies")
    b.sign_in_page("/copies")
    assert b.js("return localStorage.getItem('smartsync.key')") is None, "the key that is not valid stayed stored"

    step("the lead board, sorted by each statistic, over each period")
    b.open("/leads")
    b.q("#board tbody tr[data-lead]")
    assert len(b.all("#board tbody tr[data-lead]")) == 3
    b.shot("01-lead-board")
    for sort in ["pnl", "aum", "followers", "maxDrawdown", "winRate", "roi"]:
        b.click(f'#sorts a[data-sort="{sort}"]')
        b.until(f"sort {sort}", lambda: f"sort={sort}" in b.driver.current_url and "on" in b.q(f'a[data-sort="{sort}"]').get_attribute("class"))
    board = lambda: b.js("return [...document.querySelectorAll('#board tbody tr[data-lead]')].map(r => r.dataset.lead)")
    by_api = [l["user"] for l in api("GET", "/v1/leads?sort=roi")]
    b.until(f"the board in the API's order {by_api}", lambda: board() == by_api)
    for period, name in [("7d", "7 days"), ("90d", "90 days"), ("all", "All time"), ("30d", "30 days")]:
        b.click(f'#periods a[data-period="{period}"]')
        b.until(f"period {period}", lambda: f"period={period}" in b.driver.current_url and
                f"ROI · {name}" in b.text("#board thead") and f"PnL · {name}" in b.text("#board thead"))
    by_api = api("GET", "/v1/leads?sort=roi&period=30d")
    b.until(f"the 30-day board in the API's order {[l['user'] for l in by_api]}", lambda: board() == [l["user"] for l in by_api])
    roi = Decimal(next(l for l in by_api if l["user"] == "balanced")["returns"]["30d"]["roi"]) * 100
    expected = ("+" if roi > 0 else "") + f"{roi.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    assert b.text('#board tr[data-lead="balanced"] td[data-col="roi"]') == expected, (b.text('#board tr[data-lead="balanced"]'), expected)
    b.shot("01-lead-board-30-days")

    step("dark mode follows the system setting")
    b.dark(True)
    luminance = b.js("""const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number).map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); return 0.2126 * r + 0.7152 * g + 0.0722 * b;""")
    assert luminance < 0.2, f"the dark theme's background is light (luminance {luminance:.2f})"
    b.shot("01-lead-board-dark")
    b.dark(False)
    assert b.js("return getComputedStyle(document.body).backgroundColor") != "rgb(15, 20, 26)"

    step("signed out, Copy on the board asks to sign in; a wrong key shows the error next to the field, the right one lands on the copy setup")
    b.click('#board a[data-copy="trend"]')
    b.sign_in_page("/copy/trend")
    b.type("#key", "ssk_not_a_key")
    b.click("#signin-button")
    b.until("the key error", lambda: "not valid" in b.text('[data-error-for="key"]'))
    b.shot("02-sign-in-error")
    b.type("#key", keys["newcomer"])
    b.click("#signin-button")
    b.until("signed in, on the copy setup", lambda: urlparse(b.driver.current_url).path == "/copy/trend" and b.all("#copy-form"))
    assert b.text("#who-name") == "newcomer"
    b.until("the live stream", lambda: "on" in b.q("#live").get_attribute("class"))

    step("browse the board and open the trend lead's profile: returns over each period, its portfolio")
    b.click('a[data-nav="leads"]')
    b.click('#board tr[data-lead="trend"] a')
    b.until("the profile", lambda: b.text("h1").startswith("trend"))
    b.q("svg.chart path")
    assert "%" in b.text('[data-stat="roi"] .value')
    trend = api("GET", "/v1/leads/trend")
    for period in ["7d", "30d", "90d", "all"]:
        roi = Decimal(trend["returns"][period]["roi"]) * 100
        shown = b.text(f'#returns tr[data-period="{period}"]')
        assert f"{abs(roi).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%" in shown, (period, shown, roi)
    b.q("#weights tbody tr")
    times = [t.text for t in b.all(".lead-fills tbody tr td:first-child")]
    assert times and all(t.startswith("2021-") for t in times), times[:3]
    b.shot("03-lead-profile")
    b.click("#copy-button")
    b.until("the copy setup", lambda: urlparse(b.driver.current_url).path == "/copy/trend" and b.all("#copy-form"))

    step("copy setup: the API's error appears next to the field; percents are percents; buy existing shows what it would buy")
    b.type("#investment", "50")
    b.click("#review-button")
    b.click("#confirm-button")
    b.until("the minimum investment error", lambda: "at least 100" in b.text('[data-error-for="investment"]'))
    b.shot("04-copy-setup-error")
    b.type("#investment", "100")
    b.click("#buyExisting")
    b.select("#stopLossKind", "ratio")
    b.type("#stopLossValue", "150")
    b.click("#review-button")
    b.until("the stop loss error", lambda: "at most 100%" in b.text('[data-error-for="stopLoss"]'))
    assert not b.all("#confirm-button")
    b.type("#stopLossValue", "30")
    b.q("#preview-table")
    b.until("the forecast of the copy over the lead's last 30 days", lambda: b.all("#forecast-table"))
    forecast = api("GET", "/v1/leads/trend/forecast?investment=100&buyExisting=true")
    assert "would have" in b.text("#forecast-verdict"), b.text("#forecast-verdict")
    assert str(sum(r["count"] for r in forecast["failedOrders"])) in b.text('#forecast-table tr[data-part="failed"]'), (forecast, b.text("#forecast-table"))
    b.click("#review-button")
    b.visible("#confirm-box")
    assert "100 USDT" in b.text("#confirm-box") and "30.00%" in b.text("#confirm-box")
    b.shot("05-copy-setup-confirm")
    b.phone(True)
    b.fits_phone("the copy setup with its forecast")
    b.shot("phone-copy-setup-forecast")
    b.phone(False)
    b.click("#confirm-button")

    step("the new copy is in My Copies")
    b.until("My Copies", lambda: "/copies" in b.driver.current_url and b.all("#copies tr[data-copy]"))
    copies = api("GET", "/v1/copies", keys["newcomer"])
    assert len(copies) == 1 and copies[0]["lead"] == "trend" and copies[0]["netInvested"] == "100", copies
    assert copies[0]["stopLoss"] == {"ratio": "0.3"}, copies[0]["stopLoss"]
    copy_id = copies[0]["id"]
    row = b.q(f'#copies tr[data-copy="{copy_id}"]')
    assert "active" in row.text and "100.00" in row.text, row.text
    b.shot("06-my-copies")

    step("copy details; the lead trades and the copy fill appears without a reload")
    b.click(f'#copies tr[data-copy="{copy_id}"] a[href^="/copies/"]')
    b.q("#fills")
    b.shot("07-copy-details")
    before = len(b.all("#fills tr[data-event]"))
    b.js("window.__sameDocument = 'yes'")
    lead = api("GET", "/v1/leads/trend")
    api("POST", "/v1/orders", keys["trend"], {"symbol": "BTC-USDT", "side": "buy", "quoteAmount": f"{float(lead['cash']) * 0.4:.2f}"})
    b.until("the new copy fill", lambda: len(b.all("#fills tr[data-event]")) > before)
    assert b.js("return window.__sameDocument") == "yes", "the page was reloaded"
    fill_row = b.all("#fills tr[data-event]")[0]
    assert "BTC-USDT" in fill_row.text and "buy" in fill_row.text, fill_row.text
    for move in [1.02, 1.01, 0.97, 1.03]:
        market.move("BTC-USDT", move)
    b.until("the equity chart follows the prices", lambda: len(b.all("svg.chart circle")) == 2 and
            len(api("GET", f"/v1/copies/{copy_id}/equity-curve", keys["newcomer"])) >= 6)
    time.sleep(2)  # the page redraws at most every so often on price events
    b.shot("08-copy-fill-live")

    step("a copy fill's allocation receipt: downloaded from the page, checked offline by smartsync verify-receipt")
    b.click("#fills tr[data-event] button[data-receipt]")
    receipt = b.until("the receipt's download", lambda: next(
        (os.path.join(b.downloads, f) for f in os.listdir(b.downloads) if f.startswith("receipt-") and f.endswith(".json")), None))
    checked = subprocess.run([binary, "verify-receipt", receipt], capture_output=True, text=True)
    assert checked.returncode == 0 and "verified:" in checked.stdout, checked.stdout + checked.stderr
    with open(receipt) as f:
        assert json.load(f)["copy"] == copy_id

    step("the lead trades 80 times: small buys the copy cannot follow (below the minimum), round trips it follows")
    equity = Decimal(api("GET", "/v1/leads/trend")["equity"])
    small, big = (equity * Decimal("0.004")).quantize(Decimal("0.01")), (equity * Decimal("0.08")).quantize(Decimal("0.01"))
    for k in range(30):
        order = api("POST", "/v1/orders", keys["trend"], {"symbol": "ETH-USDT", "side": "buy", "quoteAmount": str(small)})
        assert order["status"] == "filled" and order["copies"]["failed"] >= 1, order
    for k in range(25):
        api("POST", "/v1/orders", keys["trend"], {"symbol": "ETH-USDT", "side": "buy", "quoteAmount": str(big)})
        api("POST", "/v1/orders", keys["trend"], {"symbol": "ETH-USDT", "side": "sell", "fraction": "1"})
    summary = api("GET", f"/v1/copies/{copy_id}?view=summary", keys["newcomer"])
    assert summary["fillCount"] > 50 and summary["failedOrderCount"] > 20, (summary["fillCount"], summary["failedOrderCount"])
    b.until("the page follows the burst", lambda: f"({summary['fillCount']})" in b.text("main") and
            len(b.all("#fills tr[data-event]")) == 50 and b.all("#more-fills"), timeout=30)
    assert b.js("return window.__sameDocument") == "yes", "the page was reloaded"

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
    b.type("#delta", "")

    step("stop loss and take profit not reached: saved without a question, written in the history")
    b.select("#stopLossKind", "ratio")
    b.type("#stopLossValue", "90")
    b.select("#takeProfitKind", "amount")
    b.type("#takeProfitValue", "1000")
    b.click("#save-thresholds")
    b.until("saved", lambda: "90.00% / 1,000.00 USDT" in b.text('[data-stat="thresholds"] .value'))
    assert not b.all("#confirm-modal")
    copy = api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])
    assert copy["stopLoss"] == {"ratio": "0.9"} and copy["takeProfit"] == {"amount": "1000"} and copy["status"] == "active", copy

    step("copy details: failed orders by reason and time, pages of fills and failures, history, average cost, one ROI, the returns chart")
    b.open(f"/copies/{copy_id}")
    b.until("the copy details", lambda: len(b.all("#fills tr[data-event]")) == 50)
    reasons = b.all("#failed-reasons tbody tr[data-reason]")
    assert reasons and reasons[0].get_attribute("data-reason") == "belowMinNotional", [r.text for r in reasons]
    assert "minimum notional" in reasons[0].text and str(summary["failedOrderCount"]) in reasons[0].text and "2021-" in reasons[0].text, reasons[0].text

    def rows(css):
        return [(int(r.get_attribute("data-n")), r.find_element(By.CSS_SELECTOR, "td").text) for r in b.all(css)]
    failed = rows("#failed tbody tr[data-n]")
    assert len(failed) == 20, failed
    assert all(t.startswith("2021-") for _, t in failed), f"failed orders without a 2021 time: {failed}"
    assert [n for n, _ in failed] == sorted((n for n, _ in failed), reverse=True) and [t for _, t in failed] == sorted((t for _, t in failed), reverse=True), failed
    b.click("#more-failed")
    b.until("older failed orders", lambda: len(b.all("#failed tbody tr[data-n]")) == summary["failedOrderCount"])
    failed = rows("#failed tbody tr[data-n]")
    assert [n for n, _ in failed] == sorted((n for n, _ in failed), reverse=True) and len({n for n, _ in failed}) == len(failed), failed
    assert not b.all("#more-failed"), "Show older stays after the last failure"
    fills = rows("#fills tbody tr[data-n]")
    assert all(t.startswith("2021-") for _, t in fills), f"fill times are not market (2021) times: {fills[:3]}"
    b.click("#more-fills")
    b.until("older fills", lambda: len(b.all("#fills tbody tr[data-n]")) > 50)
    fills = rows("#fills tbody tr[data-n]")
    assert [n for n, _ in fills] == sorted((n for n, _ in fills), reverse=True) and len({n for n, _ in fills}) == len(fills), fills
    api("POST", "/v1/orders", keys["trend"], {"symbol": "ETH-USDT", "side": "buy", "quoteAmount": str(big)})
    b.until("the lead's new fill on top, the older rows still shown", lambda: len(b.all("#fills tbody tr[data-n]")) == len(fills) + 1 and
            int(b.q("#fills tbody tr[data-n]").get_attribute("data-n")) > fills[0][0])
    history = [r.get_attribute("data-type") for r in b.all("#history tr[data-type]")]
    for kind in ["started", "investmentAdded", "stopLossSet", "takeProfitSet"]:
        assert kind in history, f"the history lacks {kind}: {history}"
    assert "Added 50.00 USDT" in b.text("#history") and "Stop loss set to 90.00%" in b.text("#history"), b.text("#history")
    costs = [c.text for c in b.all("#holdings td[data-col='average-cost']")]
    assert costs and all(re.fullmatch(r"[\d,]+\.\d\d", c) and Decimal(c.replace(",", "")) > 0 for c in costs), costs
    roi_labels = [s.text for s in b.all(".stat .label") if "ROI" in s.text]
    assert len(b.all('[data-stat="roi"]')) == 1 and len(roi_labels) == 1, roi_labels
    assert len(b.text('[data-stat="roi"] .note')) > 10, "the ROI says not what it measures"
    assert b.all("svg.chart line.marker"), "the money added is not marked on the chart"
    axis = b.js("return [...document.querySelectorAll('svg.chart text.y')].map(t => t.textContent)")
    assert axis and all(t.endswith("%") for t in axis), f"the chart's axis is not a return in percent: {axis}"
    curve = api("GET", f"/v1/copies/{copy_id}/equity-curve?points=300", keys["newcomer"])
    shown = b.js("return document.querySelector('svg.chart circle.s-copy title').textContent")
    value = float(re.search(r"([+-]?[\d.]+)%", shown).group(1))
    expected = (float(curve[-1]["nav"]) - 1) * 100
    assert abs(value - expected) < 0.5 and abs(value) < 20, f"the chart shows {shown}, the copy's return is {expected:.2f}% (adding 50 to 100 is no gain)"
    b.readable_charts("copy details")
    assert b.all("svg.chart text.marker-label"), "the money added is not labelled on the chart"
    b.shot("07-copy-details-pages")

    step("the copy's statement: its totals and balances on the page, every line in the CSV, reconciled")
    b.click("#statement-show")
    b.until("the statement", lambda: b.all("#statement-totals tr[data-col='closing']"))
    statement = api("GET", f"/v1/copies/{copy_id}/statement", keys["newcomer"])
    assert f"{len(statement['lines'])} lines" in b.text("#statement-lines"), b.text("#statement-lines")
    cash = Decimal(statement["opening"]["cash"])
    for line in statement["lines"]:
        cash += Decimal(line["cashChange"])
        assert cash == Decimal(line["cashAfter"]), line
    assert cash == Decimal(statement["closing"]["cash"]), (cash, statement["closing"])
    assert {"started", "added", "buy"} <= {line["type"] for line in statement["lines"]}, statement["lines"][:5]
    b.js("document.querySelector('#statement-form').scrollIntoView()")
    b.shot("07b-copy-statement")
    b.phone(True)
    b.fits_phone("the copy's statement")
    b.js("document.querySelector('#statement-form').scrollIntoView()")
    b.shot("phone-copy-statement")
    b.phone(False)
    b.js("document.querySelector('#statement-to').value = '2020-01-01'")  # a date before the copy: nothing in it
    b.click("#statement-show")
    b.until("an empty span", lambda: "0 lines" in b.text("#statement-lines"))

    step("the copy details of a copy with many fills weigh little")
    b.open(f"/copies/{copy_id}")
    b.until("the copy details", lambda: len(b.all("#fills tr[data-event]")) == 50)
    time.sleep(1)
    weight = b.transfer_bytes()
    print(f"  copy details: document {weight['nav']} B + {weight['count']} fetches {weight['fetch']} B (script and style {weight['other']} B)")
    assert weight["nav"] + weight["fetch"] < 200_000, f"the copy details page fetched {weight['nav'] + weight['fetch']} bytes"

    step("the board shows the lead the newcomer copies as Copying, and does not read the whole list again on every live event")
    b.click('a[data-nav="leads"]')
    b.until("Copying", lambda: b.all('#board a[data-copying="trend"]'))
    assert not b.all('#board a[data-copy="trend"]')
    assert b.all('#board a[data-copy="swing"]')
    b.until("the live stream", lambda: "on" in b.q("#live").get_attribute("class"))
    b.js("performance.setResourceTimingBufferSize(5000); performance.clearResourceTimings()")
    clock = b.js("return S.market")  # the market time of the last price event the page was told of
    end = time.time() + 20
    rng = random.Random(7)
    while time.time() < end:
        market.move("BTC-USDT", 1 + rng.uniform(-0.003, 0.003))
        time.sleep(0.5)
    b.until("the price events reach the page", lambda: b.js("return S.market") != clock and "2021-" in b.text("#market"))
    leads = b.transfer_bytes("/v1/leads")
    print(f"  lead board, 20 s of live prices: {leads['count']} reads of /v1/leads, {leads['fetch']} B")
    assert 1 <= leads["count"] and leads["fetch"] < 100_000, leads
    b.shot("01-lead-board-copying")

    step("phone: no page scrolls sideways, the header is compact, toasts cover no button and can be dismissed")
    b.phone(True)
    pages = [("board", "/leads", "#board tbody tr"), ("profile", "/leads/trend", "#weights tbody tr"), ("setup", "/copy/swing", "#copy-form"),
             ("copies", "/copies", "#copies tbody tr"), ("details", f"/copies/{copy_id}", "#fills tbody tr"), ("signin", "/signin", "#signin-form")]
    headers = []
    for name, path, ready in pages:
        b.open(path)
        b.q(ready)
        if name == "setup":
            b.type("#investment", "100")
            b.click("#buyExisting")
            b.q("#preview-table")
        time.sleep(0.3)
        headers.append(b.fits_phone(name))
        b.readable_charts(f"{name} on a phone")
        b.shot(f"phone-{name}")
    print(f"  phone header: {min(headers):.0f} to {max(headers):.0f} px high")
    b.open(f"/copies/{copy_id}")
    b.q("#fills tbody tr")
    b.fits_phone("details")
    lead = api("GET", "/v1/leads/trend")
    api("POST", "/v1/orders", keys["trend"], {"symbol": "ETH-USDT", "side": "buy", "quoteAmount": f"{Decimal(lead['equity']) * Decimal('0.05'):.2f}"})
    toast = b.visible(".toast")
    b.click("#add-button")  # a toast over a button lets the tap through to it (an empty amount: the error)
    b.until("the amount error", lambda: b.text('#adjust-form [data-error-for="delta"]') != "")
    time.sleep(1)
    b.js("window.scrollTo(0, document.documentElement.scrollHeight)")
    time.sleep(0.5)
    covered = b.js("""
        const toasts = [...document.querySelectorAll('.toast')].map(t => t.getBoundingClientRect());
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        return [...document.querySelectorAll('button, .button, a.button, input, select')].filter(e => !e.closest('#toasts'))
          .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && toasts.some(t => hit(r, t)); })
          .map(e => e.id || e.textContent.trim());""")
    assert b.all(".toast"), "the toast went away too soon to check"
    assert not covered, f"a toast covers {covered}"
    b.shot("phone-details-toast")
    toasts = b.all(".toast")
    for t in toasts:
        t.find_element(By.CSS_SELECTOR, ".dismiss").click()
    b.until("the toasts dismissed", lambda: not b.all(".toast"), timeout=3)
    b.phone(False)

    step("limits on what the copy buys: an error under its field, then saved and shown")
    b.open(f"/copies/{copy_id}")
    b.type("#maxOrderAmount", "0")
    b.click("#save-controls")
    b.until("the cap's error", lambda: b.text('#controls-form [data-error-for="maxOrderAmount"]') != "")
    b.type("#maxOrderAmount", "250")
    b.type("#maxSymbolWeight", "60")
    b.click("#save-controls")
    b.until("the limits shown", lambda: "250" in b.text('[data-stat="limits"]'))
    copy = api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])
    assert copy["controls"] == {"maxSymbolWeight": "0.6", "maxOrderAmount": "250"}, copy
    b.shot("09b-copy-limits")

    step("stop the copy, after a confirmation")
    b.open(f"/copies/{copy_id}")
    b.click("#stop-button")
    b.shot("10-stop-confirmation")
    b.confirm(False, ["Stop copying"])
    assert api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])["status"] == "active"
    # Close only first: the copy buys nothing more but keeps its holdings until the lead sells them.
    b.click('#stop-form input[value="closeOnly"]')
    b.click("#stop-button")
    b.confirm(True, ["buys nothing more"])
    b.until("closing", lambda: b.text("#copy-status") == "closing")
    assert "Closing" in b.text("#closing-note"), b.text("#stop-form")
    assert not b.all('#stop-form input[value="closeOnly"]'), "a closing copy is offered close only again"
    copy = api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])
    assert copy["status"] == "closing" and copy["holdings"], copy
    assert any(h["type"] == "closeOnly" for h in api("GET", f"/v1/copies/{copy_id}/history", keys["newcomer"]))
    b.shot("10b-copy-closing")
    # Then sell everything now (the first choice).
    b.click("#stop-button")
    b.confirm(True, ["sold at market"])
    b.until("stopped", lambda: b.text("#copy-status") == "stopped")
    copy = api("GET", f"/v1/copies/{copy_id}", keys["newcomer"])
    assert copy["status"] == "stopped" and copy["stopReason"] == "follower" and copy["equity"] == "0", copy
    b.shot("11-copy-stopped")
    b.click('a[data-nav="copies"]')
    b.until("My Copies shows it stopped", lambda: "stopped" in b.q(f'#copies tr[data-copy="{copy_id}"]').text)

    step("alerts: a webhook added on the Alerts page (errors under their fields), a signed test alert, its delivery log")
    receiver = HookReceiver()
    b.open("/alerts")
    b.until("the Alerts page", lambda: b.all("#hook-form"))
    assert "No webhook yet" in b.text("#hooks")
    b.type('#hook-form input[name="url"]', f"http://127.0.0.1:{receiver.port}/alerts")
    b.click("#add-hook")
    b.until("pick an alert", lambda: "pick at least one alert" in b.text('[data-error-for="events"]'))
    for event in ("stopLossFired", "copyStopped", "trackingGap"):
        b.click(f'#hook-form input[value="{event}"]')
    b.click("#add-hook")
    b.until("the gap threshold is required", lambda: "required" in b.text('[data-error-for="trackingGap"]'))
    b.type('#hook-form input[name="gap"]', "50")
    b.click("#add-hook")
    b.until("the secret is required", lambda: "required" in b.text('[data-error-for="secret"]'))
    b.type('#hook-form input[name="secret"]', "too-short")
    b.click("#add-hook")
    b.until("the API's rule under the secret", lambda: "16 to 200" in b.text('[data-error-for="secret"]'))
    b.click("#new-secret")
    secret = b.js("return document.querySelector('#hook-form input[name=secret]').value")
    assert len(secret) >= 16, secret
    b.click("#add-hook")
    b.until("the webhook is listed", lambda: b.all("#hooks tr[data-hook]"))
    hook = b.q("#hooks tr[data-hook]").get_attribute("data-hook")
    assert api("GET", "/v1/hooks", keys["newcomer"])[0]["id"] == hook
    b.click(f'#hooks button[data-test="{hook}"]')
    b.until("the test alert arrived", lambda: receiver.received, timeout=10)
    b.until("its delivery is logged as delivered", lambda: b.all("#deliveries tr[data-delivery]") and "delivered" in b.text("#deliveries"), timeout=10)
    b.shot("16-alerts")
    b.phone(True)
    b.open(f"/alerts?hook={hook}")
    b.q("#deliveries")
    b.fits_phone("alerts")
    b.shot("phone-alerts")
    b.phone(False)

    def signed(headers, body):
        mac = hmac.new(secret.encode(), headers["SmartSync-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return headers["SmartSync-Signature"] == "sha256=" + mac

    headers, body = receiver.received[0]
    assert signed(headers, body) and json.loads(body)["type"] == "test", (headers, body)

    step("a stop loss that is already reached: the page says so and what it does, Don't save keeps the copy")
    reached = api("POST", "/v1/copies", keys["newcomer"], {"lead": "balanced", "investment": "200", "buyExisting": True})
    held = [h["symbol"] for h in reached["holdings"]]
    assert held, reached
    for symbol in held:
        market.move(symbol, 0.8)
    copy = api("GET", f"/v1/copies/{reached['id']}", keys["newcomer"])
    equity, invested = Decimal(copy["equity"]), Decimal(copy["netInvested"])
    amount = (invested - equity).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert amount > 0, copy
    b.open(f"/copies/{reached['id']}")
    b.select("#stopLossKind", "amount")
    b.type("#stopLossValue", str(amount))
    b.click("#save-thresholds")
    b.shot("13-stop-loss-reached-confirmation")
    said = b.confirm(False, ["stop loss", "stops the copy", f"about {usd(equity)} USDT"])
    copy = api("GET", f"/v1/copies/{reached['id']}", keys["newcomer"])
    assert copy["status"] == "active" and copy["stopLoss"] is None, copy
    assert b.text("#copy-status") == "active"
    b.click("#save-thresholds")
    b.confirm(True, ["stop loss"])
    b.until("the copy stopped by its stop loss", lambda: b.text("#copy-status") == "stopped" and "stop loss" in b.text("#stop-reason"))
    errors = [e.text for e in b.all(".error") if e.text.strip()]
    assert not errors and not b.all("#confirm-modal"), errors
    copy = api("GET", f"/v1/copies/{reached['id']}", keys["newcomer"])
    assert copy["status"] == "stopped" and copy["stopReason"] == "stopLoss", copy
    b.shot("14-stop-loss-reached-stopped")
    # The webhook was told: stop loss fired and the copy stopped, both signed with the secret.
    b.until("the stop-loss alerts arrived", lambda: len(receiver.received) >= 3, timeout=10)
    alerts = {json.loads(body)["type"]: json.loads(body) for headers, body in receiver.received[1:] if signed(headers, body)}
    assert alerts.keys() >= {"stopLossFired", "copyStopped"}, receiver.received
    assert alerts["stopLossFired"]["copy"] == reached["id"] and alerts["copyStopped"]["stopReason"] == "stopLoss", alerts

    step("a take profit that is already reached: the same question, and the copy stops with its take profit")
    gain = api("POST", "/v1/copies", keys["newcomer"], {"lead": "balanced", "investment": "200", "buyExisting": True})
    for symbol in held:
        market.move(symbol, 1.1)
    copy = api("GET", f"/v1/copies/{gain['id']}", keys["newcomer"])
    assert Decimal(copy["equity"]) > Decimal(copy["netInvested"]) + Decimal("0.01"), copy
    b.open(f"/copies/{gain['id']}")
    b.select("#takeProfitKind", "amount")
    b.type("#takeProfitValue", "0.01")
    b.click("#save-thresholds")
    b.confirm(True, ["take profit", "stops the copy", "about"])
    b.until("the copy stopped by its take profit", lambda: b.text("#copy-status") == "stopped" and "take profit" in b.text("#stop-reason"))
    assert not [e.text for e in b.all(".error") if e.text.strip()]
    assert api("GET", f"/v1/copies/{gain['id']}", keys["newcomer"])["stopReason"] == "takeProfit"

    # ---- the lead ----
    step("signed out, the lead dashboard asks to sign in and then opens")
    b.click("#signout")
    b.until("signed out", lambda: b.all("#signin-link"))
    b.click('a[data-nav="dashboard"]')
    b.sign_in_page("/dashboard")
    b.type("#key", keys["trend"])
    b.click("#signin-button")
    b.until("the dashboard", lambda: urlparse(b.driver.current_url).path == "/dashboard" and b.text("h1").startswith("Lead dashboard"))

    step("the dashboard: portfolio cash and holdings, followers, AUM, profit share earned, its own trades in 2021")
    lead = api("GET", "/v1/leads/trend")
    b.q("#followers tbody tr")
    assert b.text('[data-stat="portfolio-cash"] .value') == f"{usd(lead['cash'])} USDT", (b.text('[data-stat="portfolio-cash"]'), lead["cash"])
    portfolio = {r.get_attribute("data-symbol"): r.text for r in b.all("#portfolio tbody tr[data-symbol]")}
    assert set(portfolio) == {h["symbol"] for h in lead["holdings"]} | {"USDT"}, portfolio
    assert "USDT" in b.text('[data-stat="aum"] .value') and "USDT" in b.text('[data-stat="earned"] .value')
    assert "ETH-USDT" in b.text(".lead-fills")
    times = [r.find_element(By.CSS_SELECTOR, "td").text for r in b.all(".lead-fills tbody tr")]
    assert times and all(t.startswith("2021-") for t in times), times[:3]

    step("a market order asks first; the chosen pair stays chosen after it")
    orders = len(api("GET", "/v1/orders?status=all&limit=1000", keys["trend"]))
    b.select("#order-symbol", "ETH-USDT")
    b.select("#order-side", "buy")
    b.type("#order-amount", "500")
    b.click("#order-button")
    b.confirm(False, ["ETH", "500.00 USDT"])
    assert len(api("GET", "/v1/orders?status=all&limit=1000", keys["trend"])) == orders, "an order went out before the confirmation"
    b.click("#order-button")
    b.confirm(True)
    b.until("the order", lambda: len(api("GET", "/v1/orders?status=all&limit=1000", keys["trend"])) == orders + 1)
    placed = api("GET", "/v1/orders?status=all&limit=1", keys["trend"])[0]
    assert placed["symbol"] == "ETH-USDT" and placed["side"] == "buy" and placed["status"] == "filled", placed
    b.until("the order on the page", lambda: b.all(f'#recent-orders tr[data-order="{placed["id"]}"]'))
    assert b.q("#order-symbol").get_attribute("value") == "ETH-USDT", "the pair went back to the first one"
    b.shot("12-lead-dashboard")

    step("selling a coin the lead portfolio does not hold is refused under the field")
    lead = api("GET", "/v1/leads/trend")
    held = {h["symbol"] for h in lead["holdings"]}
    absent = next(m["symbol"] for m in api("GET", "/v1/markets") if m["symbol"] not in held)
    b.select("#order-symbol", absent)
    b.select("#order-side", "sell")
    b.type("#order-amount", "50")
    b.click("#order-button")
    b.until("the refusal", lambda: "holds no" in b.text('#order-form [data-error-for="amount"]'))
    assert not b.all("#confirm-modal")
    assert len(api("GET", "/v1/orders?status=all&limit=1000", keys["trend"])) == orders + 1

    step("a limit order rests in Open orders and can be cancelled")
    price = Decimal(next(m["price"] for m in api("GET", "/v1/markets") if m["symbol"] == "BTC-USDT"))
    b.select("#order-symbol", "BTC-USDT")
    b.select("#order-side", "buy")
    b.select("#order-type", "limit")
    b.type("#order-amount", "200")
    b.type("#order-limit", str((price * Decimal("0.8")).quantize(Decimal("0.01"))))
    b.click("#order-button")
    b.confirm(True, ["limit"])
    b.until("the open order", lambda: b.all("#orders tr[data-order]"))
    resting = api("GET", "/v1/orders?status=open", keys["trend"])
    assert len(resting) == 1 and resting[0]["type"] == "limit", resting
    row = b.q(f'#orders tr[data-order="{resting[0]["id"]}"]')
    assert "BTC-USDT" in row.text and "2021-" in row.text, row.text
    assert b.q("#order-symbol").get_attribute("value") == "BTC-USDT"
    b.shot("12-lead-dashboard-limit")
    b.click(f'#orders button[data-cancel="{resting[0]["id"]}"]')
    b.until("the order cancelled", lambda: not b.all("#orders tr[data-order]"))
    assert api("GET", "/v1/orders?status=open", keys["trend"]) == []

    step("lead settings in percent: profit share, slippage, follower limit")
    b.type("#set-rate", "15")
    b.type("#set-slippage", "1")
    b.type("#set-limit", "500")
    b.click("#save-lead-settings")
    b.until("the settings saved", lambda: api("GET", "/v1/leads/trend")["followerLimit"] == 500)
    lead = api("GET", "/v1/leads/trend")
    assert lead["profitShareRate"] == "0.15" and lead["slippageLimit"] == "0.01" and lead["followerLimit"] == 500, lead
    b.until("the page shows them", lambda: b.q("#set-rate").get_attribute("value") == "15" and b.q("#set-slippage").get_attribute("value") == "1")
    b.type("#set-rate", "45")
    b.click("#save-lead-settings")
    b.until("the profit share limit", lambda: "at most 30%" in b.text('[data-error-for="profitShareRate"]'))
    b.type("#set-rate", "15")

    step("lead settings: the execution mode, block and back to follow")
    assert b.q("#set-mode").get_attribute("value") == "follow"
    for mode in ["block", "follow"]:
        b.select("#set-mode", mode)
        b.click("#save-lead-settings")
        b.until(f"the mode saved as {mode}", lambda: api("GET", "/v1/leads/trend")["executionMode"] == mode)
        b.until("the page shows it", lambda: b.q("#set-mode").get_attribute("value") == mode)

    step("remove a follower, after a confirmation")
    b.click('button[data-remove="alice-trend"]')
    b.confirm(False, ["alice-trend"])
    follower = lambda: next(f for f in api("GET", "/v1/leading/followers", keys["trend"]) if f["copy"] == "alice-trend")
    assert follower()["status"] == "active"
    b.click('button[data-remove="alice-trend"]')
    b.confirm(True)
    b.until("alice removed", lambda: follower()["status"] == "stopped")
    b.until("the page shows it", lambda: not b.all('button[data-remove="alice-trend"]'))
    assert api("GET", "/v1/copies/alice-trend", keys["alice"])["stopReason"] == "removedByLead"

    step("the profit share statement: every payment, its closing total is what the lead earned")
    b.open("/dashboard")
    b.click("#statement-show")
    b.until("the profit share statement", lambda: b.all("#share-statement tr[data-col='closing']"))
    statement = api("GET", "/v1/leading/profit-share", keys["trend"])
    earned = api("GET", "/v1/leads/trend")["profitShareEarned"]
    assert statement["closing"] == earned, (statement["closing"], earned)
    assert len(b.all("#share-statement tr[data-event]")) == len(statement["lines"])
    b.shot("12b-profit-share-statement")

    step("phone: the dashboard fits")
    b.phone(True)
    b.open("/dashboard")
    b.q("#followers")
    time.sleep(0.3)
    b.fits_phone("dashboard")
    b.shot("phone-dashboard")
    b.phone(False)

    step("stop leading, after a confirmation")
    b.open("/dashboard")
    b.click("#stop-leading")
    b.confirm(False, ["Stop leading"])
    assert api("GET", "/v1/leads/trend")["status"] == "active"
    b.click("#stop-leading")
    b.confirm(True)
    b.until("stopped leading", lambda: "stopped leading" in b.text("main"))
    assert api("GET", "/v1/leads/trend")["status"] != "active"
    b.shot("15-stopped-leading")

    b.only_same_origin_resources()
    errors = b.errors + b.console_errors()
    assert not errors, f"the browser console has errors: {errors}"
    print(f"  the journey took {time.time() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/smartsync")
    parser.add_argument("--screenshots", default="screenshots")
    args = parser.parse_args()
    shots = args.screenshots
    if os.path.isdir(shots):
        shutil.rmtree(shots)

    workdir = tempfile.mkdtemp(prefix="smartsync-e2e-")
    server, keys = start_server(args.binary, workdir, PORT, 36000)
    browser = None
    try:
        browser = Browser(shots)
        journey(browser, keys, Market(keys["operator"]), args.binary)
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
