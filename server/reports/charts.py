"""Simple SVG charts drawn on the server: no script, no library, readable when printed in black and white."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, PAD = 480, 200, 32


def _frame(title: str, inner: str) -> str:
    return (f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(title)}">{inner}</svg></figure>')


def bar_chart(bars: list[tuple[str, int]], *, title: str, empty: str = "No data yet") -> str:
    if not bars:
        return _frame(title, f'<text x="{PAD}" y="{HEIGHT // 2}">{escape(empty)}</text>')
    top = max(value for _, value in bars) or 1
    step = (WIDTH - 2 * PAD) / len(bars)
    parts = [f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#333"/>']
    for i, (label, value) in enumerate(bars):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + i * step + step * 0.15
        y = HEIGHT - PAD - height
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{height:.1f}" '
                     f'fill="#2b5f8a"><title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{value}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">'
                     f'{escape(label)}</text>')
    return _frame(title, "".join(parts))


def line_chart(points: list[tuple[str, float]], *, title: str, empty: str = "No grades yet") -> str:
    """Values between 0 and 1."""
    if not points:
        return _frame(title, f'<text x="{PAD}" y="{HEIGHT // 2}">{escape(empty)}</text>')
    span = max(len(points) - 1, 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        return PAD + (WIDTH - 2 * PAD) * i / span, HEIGHT - PAD - (HEIGHT - 2 * PAD) * value

    coords = [xy(i, value) for i, (_, value) in enumerate(points)]
    parts = [f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#333"/>',
             f'<polyline fill="none" stroke="#2b5f8a" stroke-width="2" points="'
             + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>']
    for (label, value), (x, y) in zip(points, coords):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2b5f8a">'
                     f'<title>{escape(label)}: {value:.2f}</title></circle>')
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">{escape(label)}</text>')
    return _frame(title, "".join(parts))
