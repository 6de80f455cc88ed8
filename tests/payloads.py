"""A bank of hostile learner content: everything a learner controls that a viewer's browser
could run or load, each aimed at a listener on 127.0.0.1.

Every payload, if it ever ran, would both request `<base>/hit/<name>` and leave a marker: the
attribute `data-pwned="<name>"` on the page's root element and a console line `PWNED <name>`.
Payloads that cannot run script (a stylesheet, an iframe, a meta refresh) only request.
`add_payloads` writes them into a learner's notebook and submission folder, the way a
hostile learner would: code cells whose outputs are produced at grading time, markdown and
raw cells, metadata, attachments, and files beside the notebook. `Elements` lists the start
tags of a page, to see what survived.
"""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from pathlib import Path

import nbformat

MARKER_ATTRIBUTE = "data-pwned"
CONSOLE_MARKER = "PWNED"


def script(base: str, name: str) -> str:
    """JavaScript that leaves both markers and requests the listener."""
    return (
        f"document.documentElement.setAttribute('{MARKER_ATTRIBUTE}','{name}');"
        f"console.log('{CONSOLE_MARKER} {name}');fetch('{base}/hit/{name}')"
    )


def _png() -> str:
    """A real 1x1 PNG, base64."""
    return "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def html_payloads(base: str) -> dict[str, str]:
    """name -> HTML that a learner displays (as an output) or writes (in markdown)."""
    return {
        "script-tag": f"<script>{script(base, 'script-tag')}</script>",
        "img-onerror": f'<img src="x" onerror="{script(base, "img-onerror")}">',
        "svg-onload": f'<svg onload="{script(base, "svg-onload")}"><circle r="5"/></svg>',
        "svg-inline-script": f"<svg><script>{script(base, 'svg-inline-script')}</script></svg>",
        "iframe-src": f'<iframe src="{base}/hit/iframe-src"></iframe>',
        "iframe-srcdoc": (
            f'<iframe srcdoc="<script>{script(base, "iframe-srcdoc")}</script>"></iframe>'
        ),
        "meta-refresh": f'<meta http-equiv="refresh" content="0;url={base}/hit/meta-refresh">',
        "css-import": f"<style>@import url({base}/hit/css-import);</style>",
        "css-attribute": f'<div style="background-image:url({base}/hit/css-attribute)">x</div>',
        "link-stylesheet": f'<link rel="stylesheet" href="{base}/hit/link-stylesheet">',
        "object-data": f'<object data="{base}/hit/object-data"></object>',
        "embed-src": f'<embed src="{base}/hit/embed-src">',
        "base-href": f'<base href="{base}/hit/base-href/"><img src="relative.png">',
        "javascript-url": f'<a href="javascript:{script(base, "javascript-url")}">click</a>',
        "form-autofocus": (
            f'<form action="javascript:void(0)"><input autofocus '
            f'onfocus="{script(base, "form-autofocus")}"></form>'
        ),
        "details-ontoggle": (
            f'<details open ontoggle="{script(base, "details-ontoggle")}"><summary>s</summary>'
            "</details>"
        ),
        "mutation-noscript": (
            f"<noscript><p title=\"</noscript><img src=x onerror='{script(base, 'mutation-noscript')}'>\">"
        ),
        "image-src-remote": f'<img src="{base}/hit/image-src-remote">',
        "video-poster": f'<video poster="{base}/hit/video-poster"></video>',
        "body-onload": f'<body onload="{script(base, "body-onload")}">',
    }


def output_cells(base: str) -> list[nbformat.NotebookNode]:
    """Code cells whose outputs, produced when the notebook is graded, carry payloads."""
    html = html_payloads(base)

    def tag(name: str) -> str:
        return f"<script>{script(base, name)}</script>"

    def svg(name: str) -> str:
        return f'<svg xmlns="http://www.w3.org/2000/svg">{tag(name)}</svg>'

    def img(name: str) -> str:
        return f'<img src="x" onerror="{script(base, name)}">'

    png_breakout = 'AAAA" onerror="' + script(base, "png-data") + '" x="'
    width_breakout = "1 onerror=" + script(base, "png-width").replace(" ", "")
    latex = "$\\href{javascript:" + script(base, "latex-href") + "}{x}$"
    widget = {"model_id": "x", "version_major": 2, "version_minor": 0}
    sources = [
        "from IPython.display import HTML, Javascript, Latex, Markdown, display\n"
        f"for _html in {list(html.values())!r}:\n"
        "    display(HTML(_html))",
        f"display(Javascript({script(base, 'javascript-output')!r}))",
        f"display({{'image/svg+xml': {svg('svg-output')!r}}}, raw=True)",
        f"display(Markdown({img('markdown-output')!r}))",
        f"display({{'image/png': {png_breakout!r}}}, raw=True)",
        f"display({{'image/png': {_png()!r}}}, raw=True, "
        f"metadata={{'image/png': {{'width': {width_breakout!r}}}}})",
        f"display(HTML({tag('isolated-html')!r}), metadata={{'isolated': True}})",
        f"display(Latex({latex!r}))",
        "display({'application/vnd.jupyter.widget-view+json': "
        f"{widget!r}, 'text/html': {img('widget-fallback')!r}}}, raw=True)",
        "class _Rich:\n"
        "    def _repr_html_(self):\n"
        f"        return {tag('repr-html')!r}\n\n\n"
        "_Rich()",
        f"print({img('stream-text')!r})",
        # Files the kernel writes beside the notebook while it is graded.
        "import os\n\n"
        f"open('written.html', 'w').write({tag('written-html')!r})\n"
        f"open('written.svg', 'w').write({svg('written-svg')!r})\n"
        "os.makedirs('written', exist_ok=True)\n"
        f"open('written/page.html', 'w').write({tag('written-page')!r})\n"
        "os.symlink('written.html', 'linked.html')",
        f"raise ValueError({img('error-text')!r})",
    ]
    return [nbformat.v4.new_code_cell(source) for source in sources]


def markdown_cells(base: str) -> list[nbformat.NotebookNode]:
    """Markdown and raw cells a learner writes, with attachments."""
    html = html_payloads(base)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>'
        + script(base, "attachment-svg")
        + "</script></svg>"
    )
    cells = [
        nbformat.v4.new_markdown_cell(
            "## A learner's heading\n\n"
            + "\n\n".join(value.replace(name, f"markdown-{name}") for name, value in html.items())
        ),
        nbformat.v4.new_markdown_cell(
            f"[click me](javascript:{script(base, 'markdown-link')})\n\n"
            f"$\\href{{javascript:{script(base, 'markdown-math')}}}{{x}}$"
        ),
        nbformat.v4.new_markdown_cell(
            "![picture](attachment:evil.svg) ![remote](" + base + "/hit/markdown-image)",
            attachments={"evil.svg": {"image/svg+xml": base64.b64encode(svg.encode()).decode()}},
        ),
        nbformat.v4.new_raw_cell(
            f"<script>{script(base, 'raw-cell')}</script>",
            metadata={"raw_mimetype": "text/html", "format": "text/html"},
        ),
    ]
    # nbformat forbids commas in tags: this one passes its schema and still breaks out.
    cells[0].metadata["tags"] = [f"x\" onmouseover=\"fetch('{base}/hit/cell-tag')"]
    return cells


FILES = {
    "evil.html": "<script>{js}</script>",
    "evil.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>{js}</script></svg>',
    "<img src=x onerror=alert(1)>.html": "<script>{js}</script>",
}


def add_payloads(notebook: nbformat.NotebookNode, folder: Path, base: str) -> None:
    """Put every payload into `notebook` (before its end) and files beside it in `folder`."""
    notebook.metadata["title"] = f"</title><script>{script(base, 'notebook-title')}</script>"
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {"x": {"model_name": f"</script><script>{script(base, 'widget-state')}"}}
        }
    }
    notebook.cells.extend(markdown_cells(base) + output_cells(base))
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text.format(js=script(base, f"file-{name.split('.')[-1]}")))


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def count(self, *names: str) -> int:
        return sum(1 for tag, _ in self.tags if tag in names)
