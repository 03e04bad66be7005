"""The public pages in a real browser: headless Chromium from Debian's `chromium` package driven by Playwright
(its own browser download is never used). Skipped, with the reason, where /usr/bin/chromium is absent."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from pathlib import Path

import pytest

from bot.following.levels import Level
from tests.web_support import public_client, set_status

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright is not installed (pip install '.[test]')")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)
# Nothing but the test server resolves: the browser cannot reach beyond 127.0.0.1 by name.
ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--disable-background-networking"]

# WCAG 2 contrast of every piece of text against the background it sits on (2.2 SC 1.4.3: 4.5:1, large 3:1).
CONTRAST_JS = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
    if (!text || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || parseFloat(style.left) < -100) continue;
    const [l1, l2] = [lum(rgb(style.color)), lum(background(el))].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${el.tagName} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}
"""


@contextlib.asynccontextmanager
async def browser_page(locale: str, width: int = 1200):
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(locale=locale, viewport={"width": width, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            await browser.close()


async def check_page(page, lang: str) -> None:
    assert await page.get_attribute("html", "lang") == lang
    assert await page.locator("h1").count() == 1
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        assert await page.get_by_role(landmark).count() >= 1, landmark
    assert await page.evaluate(CONTRAST_JS) == []
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


async def test_index_action_language_switch_and_a_status_change(app):
    async with public_client(app) as client, browser_page("en-GB") as page:
        base = str(client.make_url("")).rstrip("/")
        await page.goto(base + "/")
        await check_page(page, "en")
        chart = page.get_by_role("img")
        assert "Bar chart of the actions' statuses" in await chart.get_attribute("alt")
        assert await chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the PNG loaded

        await page.get_by_role("link", name=re.compile(r"^2\.12 · ")).click()
        await page.wait_for_url(base + "/actions/2.12")
        await check_page(page, "en")
        assert (await page.locator("h1").inner_text()).startswith("Action 2.12 — ")
        assert "Not rated yet" in await page.locator("dl").inner_text()

        await page.get_by_role("link", name="Français").click()
        await page.wait_for_url(base + "/fr/actions/2.12")
        await check_page(page, "fr")
        assert "transparence du lobbying" in await page.locator("h1").inner_text()
        assert "Pas encore évaluée" in await page.locator("dl").inner_text()

        await set_status(app, "2.12", Level.SUBSTANTIAL, "Analyses semestrielles publiées", "https://www.hatvp.fr/",
                         date(2023, 2, 1))
        await page.reload()
        await check_page(page, "fr")
        assert "Substantielle" in await page.locator("dl").inner_text()
        row = page.locator("table tbody tr").first
        assert "2023-02-01" in await row.inner_text()
        assert "Analyses semestrielles publiées" in await row.inner_text()
        assert await row.get_by_role("link").get_attribute("href") == "https://www.hatvp.fr/"

        await page.get_by_role("link", name="English").click()
        await page.wait_for_url(base + "/actions/2.12")
        assert "Substantial" in await page.locator("dl").inner_text()
        await page.get_by_role("link", name=re.compile("^Commitment 2 — ")).click()
        await page.wait_for_url(base + "/commitments/2")
        await check_page(page, "en")
        assert "Substantial" in await page.get_by_role("listitem").filter(has_text="2.12 · ").inner_text()


async def test_french_browser_on_a_phone(app):
    async with public_client(app) as client, browser_page("fr-FR", width=360) as page:
        base = str(client.make_url("")).rstrip("/")
        await page.goto(base + "/")
        await check_page(page, "fr")  # chosen from the browser's Accept-Language, readable at 360 px
        img_width = await page.evaluate("document.querySelector('img').getBoundingClientRect().width")
        assert img_width <= 360
        await page.get_by_role("link", name=re.compile(r"^Engagement 4 — ")).click()
        await page.wait_for_url(base + "/fr/commitments/4")
        await check_page(page, "fr")
        await page.goto(base + "/fr/actions/9.9")
        await check_page(page, "fr")
        assert await page.locator("h1").inner_text() == "Page introuvable"
        # the contrast check does find low contrast
        await page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'gris clair';
                                       p.style.color = '#999'; document.querySelector('main').append(p); }""")
        assert await page.evaluate(CONTRAST_JS) == ['P "gris clair" 2.85']
