"""Bar charts drawn on the server as inline SVG: no script, no external service, a few kilobytes."""

from markupsafe import Markup, escape

BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 190
CHART_WIDTH = 640
VALUE_WIDTH = 60
COLUMN_CHART_HEIGHT = 160


def horizontal_bars(items: list[tuple[str, int]], title: str) -> Markup:
    """Draw one labelled bar per item, longest for the largest value."""
    if not items:
        return Markup("")
    peak = max(value for _, value in items) or 1
    bar_space = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(items) * (BAR_HEIGHT + BAR_GAP)
    parts = [
        f'<svg class="chart" role="img" width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(value / peak * bar_space)
        middle = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(width, 1)}" height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{middle}">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(items: list[tuple[str, int]], title: str) -> Markup:
    """Draw one column per item, for a series over days; labels show under the first, middle and last."""
    if not items:
        return Markup("")
    peak = max(value for _, value in items) or 1
    slot = CHART_WIDTH / len(items)
    bar_width = max(slot * 0.8, 1)
    labelled = {0, len(items) // 2, len(items) - 1}
    height = COLUMN_CHART_HEIGHT + 40
    parts = [
        f'<svg class="chart" role="img" width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text x="0" y="12" class="peak">{peak}</text>'
    ]
    for index, (label, value) in enumerate(items):
        bar_height = round(value / peak * (COLUMN_CHART_HEIGHT - 20))
        x = index * slot
        y = COLUMN_CHART_HEIGHT - bar_height
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{bar_width:.1f}" height="{bar_height}" class="bar">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        if index in labelled:
            if index == 0:
                anchor, label_x = "start", x
            elif index == len(items) - 1:
                anchor, label_x = "end", x + bar_width
            else:
                anchor, label_x = "middle", x + bar_width / 2
            parts.append(f'<text x="{label_x:.1f}" y="{COLUMN_CHART_HEIGHT + 18}" text-anchor="{anchor}">{escape(label)}</text>')
    parts.append(f'<line x1="0" y1="{COLUMN_CHART_HEIGHT}" x2="{CHART_WIDTH}" y2="{COLUMN_CHART_HEIGHT}" class="axis"/></svg>')
    return Markup("".join(parts))
