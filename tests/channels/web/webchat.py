"""Helpers driving the chat widget with Playwright (shared by the fake and live browser tests)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"

BOT = "#pm-chat-log .pm-msg--bot"
USER = "#pm-chat-log .pm-msg--user"


def save_screenshot(page: Page, name: str) -> Path:
    """A normal screenshot kept for the report (test-artifacts/<name>.png)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_widget(page: Page) -> None:
    page.click("#pm-chat-launcher")
    expect(page.locator("#pm-chat-panel")).to_be_visible()


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "() => document.querySelector('#pm-chat-log').getAttribute('aria-busy') !== 'true'", timeout=timeout
    )


def wait_for_bot_count(page: Page, count: int, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#pm-chat-log .pm-msg--bot').length >= n", arg=count, timeout=timeout
    )
    wait_idle(page, timeout)


def send(page: Page, text: str, timeout: float = 60_000) -> None:
    """Type `text`, press Enter and wait for the assistant's reply (or an error)."""
    before = page.locator(BOT).count()
    page.fill("#pm-chat-input", text)
    page.press("#pm-chat-input", "Enter")
    page.wait_for_function(
        """n => document.querySelectorAll('#pm-chat-log .pm-msg--bot').length > n
               || document.querySelector('#pm-chat-log .pm-msg--error')""",
        arg=before,
        timeout=timeout,
    )
    wait_idle(page, timeout)


def last_bot_texts(page: Page, since: int) -> list[str]:
    return page.locator(BOT).all_inner_texts()[since:]


def log_text(page: Page) -> str:
    return page.locator("#pm-chat-log").inner_text()


def storage(page: Page, key: str) -> str | None:
    return page.evaluate("k => window.localStorage.getItem(k)", key)


SENDER_KEY = "parismed.chat.v1.sender"
HISTORY_KEY = "parismed.chat.v1.history"

CONTRAST_JS = """
(selectors) => {
  function parse(c) {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }
  function background(el) {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }
  function lum(c) {
    const s = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
  }
  const out = [];
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) { out.push({sel, missing: true}); continue; }
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    out.push({sel, ratio: Math.round(ratio * 100) / 100, color: style.color, bg: 'rgb(' + bg.slice(0, 3).join(',') + ')'});
  }
  return out;
}
"""
