"""The look shared by every HTML page spbe_engine writes (report, meeting brief, dashboard).

Why one module: the pages are read on a laptop, on a projector and on paper, by the same people; one
stylesheet and a few builders (a page with its table of contents, compact tables, a grid of charts,
collapsible sections) keep them alike. Everything is inline (no network: a page opens from a USB
stick), and every text passed in is escaped here unless it is documented as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from ..i18n import current_language

__all__ = ["CSS", "cards", "details", "esc", "figure", "grid", "page", "section", "table"]

esc = html.escape

CSS = """
:root{--fg:#16191d;--muted:#4f5863;--line:#d5dae1;--head:#e9eef4;--zebra:#f7f9fb;--accent:#1f5fa8;--card:#f3f6fa}
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;color:var(--fg);background:#fff;line-height:1.45;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
.page{max-width:1240px;margin:0 auto;padding:1.25rem clamp(.9rem,3vw,2.5rem) 3rem}
h1{font-size:1.75rem;margin:.2rem 0 .6rem;line-height:1.2}
h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:2px solid var(--line)}
h3{font-size:1.08rem;margin:1.2rem 0 .4rem}
a{color:var(--accent)}
.note,.muted{color:var(--muted);font-size:.9rem}
nav.toc{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}
nav.toc strong{margin-right:.6rem}
nav.toc ol{display:inline;margin:0;padding:0;list-style:none}
nav.toc li{display:inline-block;margin:.15rem 1.1rem .15rem 0}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:.6rem 0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.55rem 1rem;min-width:9rem}
.card .label{display:block;font-size:.85rem;color:var(--muted)}
.card .value{display:block;font-size:2.1rem;font-weight:700;line-height:1.15}
.card .value.small{font-size:1.35rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,360px),1fr));gap:1rem;align-items:start}
figure{margin:0;border:1px solid var(--line);border-radius:.5rem;padding:.5rem;background:#fff;break-inside:avoid}
figure svg{display:block;width:100%;height:auto}
figcaption{font-size:.9rem;color:var(--muted);margin-top:.3rem}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.32rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--head);font-weight:600;vertical-align:bottom}
thead th::first-letter{text-transform:uppercase}
tbody tr:nth-child(even) td{background:var(--zebra)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num,td.id,td.narrow,th.id{white-space:nowrap}
td.id,th.id,td.narrow,th.narrow{width:1%}
th.num{min-width:4.5rem}
td.name{min-width:17rem}
td.zero{color:#9aa3ad}
details{border:1px solid var(--line);border-radius:.5rem;margin:.6rem 0;padding:0 .9rem;background:#fff}
details>summary{cursor:pointer;padding:.55rem 0;font-weight:600}
details[open]>summary{border-bottom:1px solid var(--line);margin-bottom:.4rem}
summary .muted{font-weight:400}
ul.findings{margin:.3rem 0 .8rem;padding-left:1.2rem}
pre{background:var(--card);padding:.8rem;white-space:pre-wrap;font-size:.85rem;overflow-x:auto}
.banner{background:#fff4e0;border:1px solid #e8c27a;border-radius:.5rem;padding:.5rem .9rem}
.badge{display:inline-block;padding:.1rem .55rem;border-radius:.4rem;background:#e3f0e3;font-weight:600}
@media (max-width:700px){html{font-size:15px}.card .value{font-size:1.7rem}td.name{min-width:12rem}}
@media print{
 html{font-size:11pt}.page{max-width:none;padding:0}nav.toc{display:none}
 a{color:inherit;text-decoration:none}details{border:none;padding:0}details>summary{list-style:none}
 h2{break-after:avoid}tr,figure{break-inside:avoid}.scroll{overflow:visible}
 details::details-content{content-visibility:visible;display:block}
}
"""


def page(
    title: str,
    toc: Sequence[tuple[str, str]],
    body: str,
    lang: str | None = None,
    *,
    heading: str | None = None,
    head_extra: str = "",
    toc_title: str | None = None,
) -> str:
    """A whole HTML document: `title` (text) in the tab, `heading` (text, default the title) as h1,
    a table of contents from `toc` [(anchor id, text)], then `body` (HTML). `head_extra` (HTML) goes
    into <head> (a page's own <style> or <script>)."""
    from ..i18n import tr

    lang = lang or current_language()
    nav = ""
    if toc:
        items = "".join(f'<li><a href="#{esc(anchor)}">{esc(text)}</a></li>' for anchor, text in toc)
        label = toc_title if toc_title is not None else tr("Contents")
        nav = f'<nav class="toc" aria-label="{esc(label)}"><strong>{esc(label)}</strong><ol>{items}</ol></nav>'
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title>",
            f'<style>{CSS}</style>{head_extra}</head><body><main class="page">',
            f"<h1>{esc(heading if heading is not None else title)}</h1>",
            nav,
            body,
            "</main></body></html>",
        ]
    )


def section(anchor: str, title: str, body: str) -> str:
    """A titled section people can jump to from the table of contents (`body` is HTML)."""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def details(summary: str, body: str, *, anchor: str | None = None, open: bool = False, note: str = "") -> str:
    """A collapsible block (one unit of many): `summary` and `note` are text, `body` HTML."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    extra = f' <span class="muted">{esc(note)}</span>' if note else ""
    return f"<details{ident}{' open' if open else ''}><summary>{esc(summary)}{extra}</summary>{body}</details>"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    kinds: Sequence[str] = (),
    cls: str = "",
    links: dict[int, Sequence[str]] | None = None,
) -> str:
    """A compact table in a horizontally scrolling box (a wide table never widens the page).

    `kinds` gives each column a class: "num" (right-aligned, no wrapping), "id"/"narrow" (as narrow
    as its content), "name" (wide enough that long names wrap to two or three lines, not nine), ""
    (plain). Cells are text (escaped); a cell equal to "0" or "–" in a "narrow"/"num" column is
    dimmed. `links` {column: anchors per row} makes that column's cells links to `#anchor`."""
    kinds = list(kinds) + [""] * (len(headers) - len(kinds))
    head = "".join(
        f'<th class="{k}">{esc(str(h))}</th>' if k else f"<th>{esc(str(h))}</th>"
        for h, k in zip(headers, kinds, strict=False)
    )
    out = []
    for n, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            kind = kinds[c] if c < len(kinds) else ""
            text = "" if value is None else str(value)
            classes = kind + (" zero" if kind in ("num", "narrow") and text in ("0", "–", "-") else "")
            shown = esc(text)
            if links and c in links and n < len(links[c]) and links[c][n]:
                shown = f'<a href="#{esc(links[c][n])}">{shown}</a>'
            cells.append(f'<td class="{classes.strip()}">{shown}</td>' if classes.strip() else f"<td>{shown}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    klass = f' class="{esc(cls)}"' if cls else ""
    body = "".join(out)
    return f'<div class="scroll"><table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def figure(svg: str, caption: str = "") -> str:
    """A chart (inline SVG, trusted: made by spbe_engine) with an optional caption (text)."""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


def grid(items: Iterable[str]) -> str:
    """Blocks of HTML side by side, as many per row as fit (two or three charts on a laptop, one on a phone)."""
    return '<div class="grid">' + "".join(items) + "</div>"


def cards(items: Iterable[tuple[str, str]], *, small: Sequence[int] = ()) -> str:
    """Key figures as large cards [(label, value)], readable from the back of a meeting room;
    the values at positions `small` use a smaller type (long texts such as a predikat)."""
    out = []
    for n, (label, value) in enumerate(items):
        size = " small" if n in small else ""
        shown = f'<span class="value{size}">{esc(value)}</span>'
        out.append(f'<div class="card"><span class="label">{esc(label)}</span>{shown}</div>')
    return '<div class="cards">' + "".join(out) + "</div>"
