"""Reports people read: self-contained HTML (inline CSS and SVG charts), Markdown and Excel."""
