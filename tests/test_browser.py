"""Notebook 02 in a real JupyterLab in Chromium: the findings browser's filters, then the saved
notebook reopened without its widgets showing the plain table.

JupyterLab is started here on 127.0.0.1 (a free port, a token) in a copy of the notebook; the
browser is the Debian ``chromium`` driven through ``chromedriver`` (package ``chromium-driver``,
installed by ``.ci/run``). On a failure a screenshot is written under the test's tmp folder and
its path printed.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (installed by .ci/run)",
)
NOTEBOOK = "02-consistency-checks.ipynb"
LIVE = "div[class*='perfaudit-live-']"
PLAIN = "div[class*='perfaudit-plain-']"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a copy of notebook 02; yields (url, token, folder)."""
    folder = tmp_path / "lab"
    (folder / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, folder / "notebooks" / NOTEBOOK)
    (folder / "data").symlink_to(ROOT / "data")
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
    )
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={folder}",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.extension_manager=readonly",
            "--allow-root",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()}") from None
                time.sleep(0.5)
        yield url, token, folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1100"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    driver.shots = shots
    try:
        yield driver
    finally:
        driver.quit()


@contextlib.contextmanager
def screenshot_on_failure(driver):
    try:
        yield
    except BaseException:
        path = driver.shots / "failure.png"
        driver.save_screenshot(str(path))
        print(f"screenshot of the failure: {path}")
        raise


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = condition()
        except Exception:  # noqa: BLE001 - the page is still rendering
            found = None
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _command(driver, name: str) -> None:
    driver.execute_script(f"window.jupyterapp.commands.execute('{name}'); return null;")


def _count(driver) -> tuple[int, int]:
    text = driver.find_element("css selector", f"{LIVE} .widget-html").text
    shown, total = re.search(r"显示 (\d+) / (\d+)", text).groups()
    return int(shown), int(total)


def _column(driver, root: str, header: str) -> list[str]:
    """The cells of one column of the first table under ``root``."""
    table = driver.find_element("css selector", f"{root} .perfaudit-table table")
    headers = [th.text for th in table.find_elements("css selector", "thead th")]
    index = headers.index(header) + 1
    return [td.text for td in table.find_elements("css selector", f"tbody tr td:nth-child({index})")]


def _choose(driver, label: str, option: str) -> None:
    from selenium.webdriver.support.ui import Select

    for box in driver.find_elements("css selector", f"{LIVE} .widget-dropdown"):
        if box.find_element("css selector", "label").text == label:
            Select(box.find_element("css selector", "select")).select_by_visible_text(option)
            return
    raise AssertionError(f"no dropdown {label}")


def _selected(driver, label: str) -> str:
    from selenium.webdriver.support.ui import Select

    for box in driver.find_elements("css selector", f"{LIVE} .widget-dropdown"):
        if box.find_element("css selector", "label").text == label:
            return Select(box.find_element("css selector", "select")).first_selected_option.text
    raise AssertionError(f"no dropdown {label}")


def test_findings_browser_filters_in_jupyterlab_and_falls_back_when_reopened(lab, browser):
    with screenshot_on_failure(browser):
        _operate_and_reopen(*lab, browser)


def _operate_and_reopen(url, token, folder, driver):
    driver.get(f"{url}/lab/tree/notebooks/{NOTEBOOK}?token={token}")
    _wait(lambda: driver.execute_script("return !!window.jupyterapp"), 90, "JupyterLab to load")
    _wait(lambda: driver.find_elements("css selector", ".jp-Notebook .jp-Cell"), 60, "the notebook to open")
    _wait(
        lambda: (
            "Idle"
            in driver.find_element("css selector", ".jp-Notebook-ExecutionIndicator").get_attribute("data-status")
            or driver.execute_script(
                "const w = window.jupyterapp.shell.currentWidget;"
                "return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
                " && w.sessionContext.session.kernel.status === 'idle'"
            )
        ),
        120,
        "the kernel to start",
    )
    _command(driver, "notebook:run-all-cells")
    _wait(lambda: driver.find_elements("css selector", f"{LIVE} .perfaudit-table"), 300, "the findings browser")
    driver.execute_script("arguments[0].scrollIntoView()", driver.find_element("css selector", LIVE))
    driver.save_screenshot(str(driver.shots / "1-browser.png"))

    # The live widget hides the plain table; its rows are all findings.
    shown, total = _count(driver)
    assert shown == total > 0
    assert not driver.find_element("css selector", PLAIN).is_displayed()

    _choose(driver, "级别", "错误")
    _wait(lambda: _count(driver)[0] < total, 30, "the severity filter to narrow the table")
    # The table is redrawn on every change: read it again until it settles.
    _wait(
        lambda: (
            set(_column(driver, LIVE, "严重程度")) == {"错误"}
            and len(_column(driver, LIVE, "严重程度")) == _count(driver)[0]
        ),
        30,
        "only errors in the table",
    )

    _choose(driver, "级别", "全部")
    _wait(lambda: _count(driver)[0] == total, 30, "全部 to show every finding again")
    assert _selected(driver, "级别") == "全部"

    search = driver.find_element("css selector", f"{LIVE} .widget-text input")
    search.send_keys("模糊")
    _wait(lambda: 0 < _count(driver)[0] < total, 30, "the search to narrow the table")
    _wait(
        lambda: (found := _column(driver, LIVE, "问题描述")) and all("模糊" in m for m in found),
        30,
        "only messages with the searched words",
    )
    detail = driver.find_element("css selector", LIVE).text
    assert "依据" in detail and "审核建议" in detail and "▶" in detail
    search.send_keys("没有这种字词")
    _wait(lambda: "没有符合条件的发现" in driver.find_element("css selector", LIVE).text, 30, "the empty-result line")
    driver.save_screenshot(str(driver.shots / "2-empty.png"))

    _command(driver, "docmanager:save")
    saved = folder / "notebooks" / NOTEBOOK
    _wait(lambda: "perfaudit-plain-" in saved.read_text(encoding="utf-8"), 30, "the notebook to be saved")

    # Reopen in a fresh page after shutting the kernel down: the widget models are gone.
    for session in json.load(urllib.request.urlopen(f"{url}/api/sessions?token={token}")):
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request)
    driver.get(f"{url}/lab/tree/notebooks/{NOTEBOOK}?token={token}&reset")
    _wait(lambda: driver.find_elements("css selector", f"{PLAIN} .perfaudit-table"), 90, "the saved notebook")
    plain = driver.find_element("css selector", PLAIN)
    _wait(plain.is_displayed, 30, "the plain table to show")
    assert len(_column(driver, PLAIN, "严重程度")) == total
    assert not driver.find_elements("css selector", LIVE)
    errors = [e for e in driver.find_elements("xpath", "//*[contains(text(), 'Error displaying widget')]")]
    assert not [e for e in errors if e.is_displayed()], "the widget's error is shown"
    driver.execute_script("arguments[0].scrollIntoView()", plain)
    driver.save_screenshot(str(driver.shots / "3-reopened.png"))
