"""Drives the cpsearch page in headless Chromium: search, pick a facet,
check counts, highlights and the URL, go back, save a screenshot.

Usage: page_test.py BASE_URL SCREENSHOT.png
Exits 0 when every check holds; prints what failed otherwise."""

import sys
import tempfile
from urllib.parse import parse_qs, urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # The machine has no network: keep Chromium from trying to reach one.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000",
                 "--user-data-dir=" + tempfile.mkdtemp(prefix="cpsearch-chrome-")):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def total(driver):
    return int(driver.find_element(By.ID, "total").text)


def query(driver):
    return parse_qs(urlparse(driver.current_url).query)


def main(base, screenshot):
    driver = browser()
    wait = WebDriverWait(driver, 10)
    try:
        driver.get(base + "/")
        box = wait.until(ec.presence_of_element_located((By.ID, "q")))
        box.send_keys("ransomware", Keys.ENTER)
        wait.until(lambda d: "q=ransomware" in d.current_url)
        everything = total(driver)
        assert everything > 0, "no matches for ransomware"
        marks = driver.find_elements(By.CSS_SELECTOR, ".hit b")
        assert marks, "no highlighted words in the hits"
        assert all("ransomware" in m.text.lower() for m in marks[:5]), [m.text for m in marks[:5]]

        facet = driver.find_element(By.CSS_SELECTOR, ".facet .facet-value:not(.selected)")
        name = facet.find_element(By.CLASS_NAME, "name").text
        count = int(facet.find_element(By.CLASS_NAME, "count").text)
        section = facet.find_element(By.XPATH, "ancestor::section/h2").text.lower()
        facet.click()
        wait.until(lambda d: section in query(d))
        assert query(driver)[section] == [name], query(driver)
        assert query(driver)["q"] == ["ransomware"], query(driver)
        assert total(driver) == count, (total(driver), count)
        chips = [c.text for c in driver.find_elements(By.CSS_SELECTOR, ".chip")]
        assert any(name in c for c in chips), chips
        picked = driver.find_elements(By.CSS_SELECTOR, ".facet-value.selected .name")
        assert name in [p.text for p in picked], [p.text for p in picked]
        # Disjunctive: the other values of the same facet keep their counts.
        others = driver.find_elements(
            By.XPATH, "//section[h2[translate(text(),'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
            "'abcdefghijklmnopqrstuvwxyz')='%s']]//a[not(contains(@class,'selected'))]" % section)
        assert others, "the other values of the picked facet disappeared"
        driver.save_screenshot(screenshot)

        driver.back()
        wait.until(lambda d: section not in query(d))
        assert total(driver) == everything, (total(driver), everything)
        print("ok: %d matches, %s=%s narrowed to %d" % (everything, section, name, count))
        return 0
    except AssertionError as failure:
        print("FAILED:", failure, "at", driver.current_url)
        return 1
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
