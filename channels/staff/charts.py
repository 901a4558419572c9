"""Small server-side SVG bar charts (no JavaScript, no external library)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_COLOR = "#1d4f91"
ALT_COLOR = "#c2410c"
TEXT_COLOR = "#1f2933"
GRID_COLOR = "#d9dee5"


def _nice_max(value: int) -> int:
    """Top of the axis: a multiple of 4 steps of a round size, so that the 4 grid lines are integers."""
    for step in (1, 2, 3, 5, 10, 15, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return ((value + 3) // 4) * 4


def vertical_bars(
    data: Sequence[tuple[str, int]], title: str, *, width: int = 640, height: int = 260, color: str = BAR_COLOR
) -> str:
    """Vertical bar chart (e.g. requests by arrondissement or by week)."""
    margin_left, margin_bottom, margin_top = 36, 48, 16
    plot_w = width - margin_left - 8
    plot_h = height - margin_bottom - margin_top
    top = _nice_max(max((v for _, v in data), default=0))
    n = max(1, len(data))
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        val = top * i // 4
        y = margin_top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{margin_left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID_COLOR}"/>')
        out.append(
            f'<text x="{margin_left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT_COLOR}">'
            f"{val}</text>"
        )
    rotate = n > 14
    for i, (label, value) in enumerate(data):
        h = plot_h * value / top if top else 0
        x = margin_left + i * slot + (slot - bar_w) / 2
        y = margin_top + plot_h - h
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(label)} : {value}</title></rect>"
        )
        if value:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{TEXT_COLOR}">{value}</text>'
            )
        lx, ly = x + bar_w / 2, margin_top + plot_h + 14
        if rotate:
            out.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" font-size="10" fill="{TEXT_COLOR}" '
                f'transform="rotate(-45 {lx:.1f} {ly:.1f})">{escape(label)}</text>'
            )
        else:
            out.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" font-size="11" fill="{TEXT_COLOR}">'
                f"{escape(label)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


def horizontal_bars(data: Sequence[tuple[str, int]], title: str, *, width: int = 640, color: str = BAR_COLOR) -> str:
    """Horizontal bar chart (e.g. requests by theme)."""
    row_h, label_w, margin = 26, 190, 8
    height = margin * 2 + row_h * max(1, len(data))
    plot_w = width - label_w - 50
    top = max((v for _, v in data), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(data):
        y = margin + i * row_h
        w = plot_w * value / top
        out.append(
            f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_COLOR}">{escape(label)}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{color}">'
            f"<title>{escape(label)} : {value}</title></rect>"
        )
        out.append(
            f'<text x="{label_w + w + 5:.1f}" y="{y + row_h / 2 + 4:.1f}" font-size="12" fill="{TEXT_COLOR}">'
            f"{value}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
