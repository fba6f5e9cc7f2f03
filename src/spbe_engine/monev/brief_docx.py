"""The meeting brief as a Word document (.docx): briefs and minutes circulate as Word files in
Indonesian government offices. python-docx (the `docx` extra) is imported only here, when called."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import current_language
from .brief_render import Block, Bullets, Cards, Group, Heading, Para, Table, blocks, title

if TYPE_CHECKING:
    from .brief import Brief

__all__ = ["write_docx"]


def _table(doc: Any, t: Table | Cards) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if isinstance(t, Cards):
        headers: Sequence[str] = ()
        rows: Sequence[Sequence[str]] = [(label, value) for label, value in t.items]
        kinds: Sequence[str] = ("", "num")
    else:
        headers, rows, kinds = t.headers, t.rows, t.kinds
    table = doc.add_table(rows=0, cols=len(headers) or 2)
    table.style = "Table Grid"
    lines = ([headers] if headers else []) + [list(r) for r in rows]
    for n, line in enumerate(lines):
        cells = table.add_row().cells
        for c, value in enumerate(line):
            para = cells[c].paragraphs[0]
            run = para.add_run(str(value))
            run.font.size = Pt(9)
            if n == 0 and headers:
                run.bold = True
            elif c < len(kinds) and kinds[c] == "num":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _add(doc: Any, items: Sequence[Block], depth: int = 0) -> None:
    for b in items:
        if isinstance(b, Heading):
            doc.add_heading(b.text, level=min(b.level - 1 + depth, 9))
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            run = p.add_run(b.text)
            run.italic = b.muted
        elif isinstance(b, (Cards, Table)):
            _table(doc, b)
        elif isinstance(b, Bullets):
            for x in b.items:
                doc.add_paragraph(x, style="List Bullet")
        elif isinstance(b, Group):
            doc.add_heading(b.title, level=2)
            doc.add_paragraph().add_run(b.note).italic = True
            _add(doc, b.blocks)


def write_docx(brief: Brief, path: Path, *, overwrite: bool = False) -> Path:
    """Write the brief to `path` (atomically; an existing file only with `overwrite`). Raises
    ImportError when python-docx is not installed."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    from ..io.atomic import write_atomic

    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # wide tables: the actions have eight columns
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    lang = "id-ID" if current_language() == "id" else "en-US"
    rpr = normal.element.get_or_add_rPr()
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), lang)  # Word's spelling checker reads Bahasa Indonesia as such
    doc.core_properties.title = f"{title(brief)} — {brief.now.subject}"
    doc.core_properties.language = lang
    doc.add_heading(f"{title(brief)} — {brief.now.subject}", level=0)
    _add(doc, blocks(brief))

    def save(tmp: Path) -> None:
        doc.save(str(tmp))

    return write_atomic(path, save, overwrite=overwrite)
