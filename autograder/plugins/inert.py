"""Learner content made inert before anyone else sees it (Formgrader, feedback, reports).

Everything in a graded notebook came from the learner: the markdown they wrote or edited,
every output their kernel produced (a kernel can publish any mime bundle with any metadata),
and the notebook's and cells' metadata. nbgrader stores it verbatim and its HTML templates
show it verbatim, so a `display(HTML('<script>...'))` would run in the instructor's
authenticated Jupyter origin when Formgrader shows the submission.

`make_inert` rewrites a notebook so that every HTML template renders it inert:
- outputs keep plain text, streams and errors (templates escape them), PNG and JPEG pictures
  that really are PNG or JPEG, and HTML cleaned by nh3 with the allow-list below; markdown
  outputs become cleaned HTML; every other mime type (JavaScript, SVG, widgets, ...) goes,
  with a plain-text note where nothing else was left;
- markdown cells the course wrote stay as they are; markdown the learner wrote or changed
  is rendered as nbconvert renders it, cleaned, and stored as that HTML (math stays TeX);
- raw cells the learner wrote are stored cleaned; code cell sources are never altered
  (templates always show them escaped);
- metadata keeps only what nbgrader and the templates need, in safe forms.

nh3 (Rust's ammonia, an html5ever parser as browsers parse) does the cleaning: an explicit
allow-list of tags and attributes, pictures only as PNG or JPEG data URIs, links only to
http(s) and fragments, no styles, classes or ids. `InertOutputs` is the nbgrader
preprocessor (autograde, before SaveAutoGrades, and feedback); see nbgrader_settings.py.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat
import nh3
from nbgrader.preprocessors import NbGraderPreprocessor

# What honest learner content needs: headings, paragraphs, lists, tables, code, pictures.
ALLOWED_TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption "
    "figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong "
    "sub summary sup table tbody td tfoot th thead tr u ul var".split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "col": {"span"},
    "colgroup": {"span"},
    "abbr": {"title"},
}
PICTURE_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
DATA_URI = re.compile(r"^data:(image/png|image/jpeg);base64,([A-Za-z0-9+/\s]*={0,2})$")
BASE64 = re.compile(r"^[A-Za-z0-9+/\s]*={0,2}\s*$")
LINK = re.compile(r"^(https?://[^\s]+|#[A-Za-z0-9_.:-]*)$", re.IGNORECASE)
NUMBER = re.compile(r"^\d{1,5}%?$")
SAFE_WORD = re.compile(r"^[A-Za-z0-9_.+ -]{0,80}$")
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
MISTAKE_KEY = re.compile(r"^[a-z_]+:[a-z0-9_]+$")
TEX_ACTIVE = re.compile(
    r"\\(href|url|class|cssId|style|unicode|require|data|html|bbox|mmlToken|mathtip|texttip)"
    r"(?![A-Za-z])"
)
# Only for telling the instructor what was removed; safety never depends on these patterns.
ACTIVE_HINTS = re.compile(
    r"<\s*(script|iframe|object|embed|meta|base|link|form|svg|math|style)\b|\bon[a-z]+\s*=|"
    r"javascript:|url\s*\(",
    re.IGNORECASE,
)
ACTIVE_TYPES = ("javascript", "svg", "ecmascript", "widget", "html-isolated")
TEXT_TYPES = ("text/plain",)


def _picture(mime: str, data: object) -> str | None:
    """The base64 text of a real PNG or JPEG picture, or None."""
    if not isinstance(data, str) or not BASE64.match(data):
        return None
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None
    return data if raw.startswith(PICTURE_TYPES[mime]) else None


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        found = DATA_URI.match(value.strip())
        return value if found and _picture(found.group(1), found.group(2)) else None
    if attribute == "href":
        return value if LINK.match(value.strip()) else None
    if attribute in ("width", "height", "colspan", "rowspan", "span", "start"):
        return value if NUMBER.match(value.strip()) else None
    return value


def defang_tex(text: str) -> str:
    """TeX commands that make links, styles or HTML in MathJax (Formgrader typesets the
    page's math) shown as their names instead."""
    return TEX_ACTIVE.sub(r"\\backslash\\text{\1}", text)


def clean_html(text: str) -> str:
    """Learner HTML with everything outside the allow-list removed (scripts with their text)."""
    return defang_tex(_clean(text))


def _clean(text: str) -> str:
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "template", "noscript", "title", "textarea"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "data"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(source: str, attachments: dict | None = None) -> str:
    """Markdown as nbconvert's HTML exporters render it (Formgrader's and the feedback's), with
    attachments as data URIs, no files read from disk, and no error for a missing attachment."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class Renderer(IPythonRenderer):
        def _embed_image_or_attachment(self, src: str) -> str:
            name = src[len("attachment:") :] if src.startswith("attachment:") else None
            if name is not None and name not in self.attachments:
                return ""  # nbconvert raises here; the picture is simply not shown
            return super()._embed_image_or_attachment(src)

    renderer = Renderer(
        escape=False, attachments=attachments or {}, embed_images=False, exclude_anchor_links=True
    )
    try:
        return MarkdownWithMath(renderer=renderer).render(source)
    except Exception:  # whatever the learner wrote, the text is still shown, escaped
        return f"<pre>{html.escape(source)}</pre>"


def inert_markdown(source: str, attachments: dict | None = None) -> str:
    """Markdown source that renders as the learner's markdown did, cleaned: one HTML block
    (no blank line, so markdown keeps it whole; newlines kept as character references)."""
    if source.startswith("<div>") and "\n" not in source and not attachments:
        # Already one HTML block (markdown leaves it whole): cleaning it keeps it one.
        cleaned = _one_line(clean_html(source))
        if cleaned.startswith("<div>"):
            return cleaned
    cleaned = clean_html(render_markdown(source, _pictures_only(attachments)))
    return "<div>" + _one_line(cleaned) + "</div>"


def _one_line(html_text: str) -> str:
    return html_text.strip().replace("\n", "&#10;")


def _pictures_only(attachments) -> dict:
    """Attachments that are real PNG or JPEG pictures; anything else is dropped."""
    kept = {}
    if isinstance(attachments, dict):
        for name, bundle in attachments.items():
            if not isinstance(bundle, dict):
                continue
            for mime in PICTURE_TYPES:
                data = _picture(mime, bundle.get(mime))
                if data is not None:
                    kept[str(name)] = {mime: data}
                    break
    return kept


def _text(value) -> str:
    """nbformat allows multi-line strings as lists; anything else becomes its repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return repr(value)


def _output_bundle(output: dict, changes: list[str], where: str) -> tuple[dict, dict]:
    """(data, metadata) of a display output, made inert."""
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    metadata = output.get("metadata") if isinstance(output.get("metadata"), dict) else {}
    kept, kept_metadata, removed = {}, {}, []
    for mime, value in data.items():
        if mime in TEXT_TYPES:
            kept[mime] = _text(value)
        elif mime in PICTURE_TYPES:
            picture = _picture(mime, value)
            if picture is None:
                removed.append(f"{mime} that is not a {mime.split('/')[1].upper()} picture")
                continue
            kept[mime] = picture
            sizes = metadata.get(mime) if isinstance(metadata.get(mime), dict) else {}
            size = {
                key: sizes[key]
                for key in ("width", "height")
                if isinstance(sizes.get(key), int)
                and not isinstance(sizes.get(key), bool)
                and 0 < sizes[key] < 100_000
            }
            if size:
                kept_metadata[mime] = size
            if sizes.keys() - size.keys():
                changes.append(f"{where}: picture metadata removed")
        elif mime == "text/html":
            text = _text(value)
            kept[mime] = clean_html(text)
            if kept[mime] != text:
                changes.append(f"{where}: HTML cleaned{_active(text)}")
            if isinstance(metadata.get(mime), dict) and metadata[mime].get("isolated"):
                changes.append(f"{where}: isolated HTML shown inline, cleaned")
        elif mime == "text/markdown":
            text = _text(value)
            kept.setdefault("text/html", inert_markdown(text))
            changes.append(f"{where}: markdown output shown as cleaned HTML{_active(text)}")
        elif mime == "text/latex":
            kept.setdefault("text/plain", _text(value))  # shown as TeX source
        else:
            removed.append(mime)
    if removed:
        names = ", ".join(sorted(set(map(str, removed))))
        active = any(hint in names for hint in ACTIVE_TYPES)
        changes.append(f"{where}: removed {names}" + (" (active content)" if active else ""))
        if not kept:
            kept["text/plain"] = f"[output removed: {names}, which a viewer's browser would run]"
    return kept, kept_metadata


def _active(text: str) -> str:
    return " (active content)" if ACTIVE_HINTS.search(text) else ""


def inert_outputs(outputs: Iterable, changes: list[str], where: str) -> list[dict]:
    """The outputs of one code cell, made inert."""
    clean = []
    for output in outputs if isinstance(outputs, list) else []:
        kind = output.get("output_type") if isinstance(output, dict) else None
        if kind == "stream":
            name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
            clean.append(
                nbformat.v4.new_output("stream", name=name, text=_text(output.get("text")))
            )
        elif kind == "error":
            traceback = output.get("traceback")
            clean.append(
                nbformat.v4.new_output(
                    "error",
                    ename=_text(output.get("ename", "Error")),
                    evalue=_text(output.get("evalue", "")),
                    traceback=[_text(line) for line in traceback]
                    if isinstance(traceback, list)
                    else [],
                )
            )
        elif kind in ("display_data", "execute_result"):
            data, metadata = _output_bundle(output, changes, where)
            fields = {"data": data, "metadata": metadata}
            if kind == "execute_result":
                count = output.get("execution_count")
                fields["execution_count"] = count if type(count) is int else None
            clean.append(nbformat.v4.new_output(kind, **fields))
        else:
            changes.append(f"{where}: removed an output of unknown type")
    return clean


def _cell_metadata(metadata, changes: list[str], where: str) -> dict:
    """nbgrader's record (it grades by it), the grader's key of a recognised mistake, and plain
    tags; nothing else reaches a template."""
    metadata = metadata if isinstance(metadata, dict) else {}
    kept = {}
    record = metadata.get("nbgrader")
    if isinstance(record, dict):
        grade_id = record.get("grade_id")
        if grade_id is None or (isinstance(grade_id, str) and GRADE_ID.match(grade_id)):
            kept["nbgrader"] = {
                key: value
                for key, value in record.items()
                if isinstance(value, bool | int | float | type(None))
                or (isinstance(value, str) and SAFE_WORD.match(value))
            }
        else:
            changes.append(f"{where}: nbgrader metadata with an unusable grade_id removed")
    # The mistake the grader recognised in a graded test cell (autograder/plugins/execute.py).
    recognised = metadata.get("course")
    is_test = isinstance(record, dict) and record.get("grade") and not record.get("solution")
    if (
        is_test
        and isinstance(recognised, dict)
        and MISTAKE_KEY.match(str(recognised.get("mistake")))
    ):
        kept["course"] = {"mistake": recognised["mistake"]}
    tags = metadata.get("tags")
    if isinstance(tags, list):
        safe = [tag for tag in tags if isinstance(tag, str) and GRADE_ID.match(tag)]
        if safe:
            kept["tags"] = safe
    return kept


def _notebook_metadata(metadata) -> dict:
    """The kernel's and language's names, as safe words (each section kept whole only with
    the names nbformat requires); titles, widgets and the rest go."""
    metadata = metadata if isinstance(metadata, dict) else {}
    kept = {}
    for section, required, optional in (
        ("kernelspec", ("name", "display_name"), ("language",)),
        ("language_info", ("name",), ("version", "mimetype", "file_extension", "pygments_lexer")),
    ):
        values = metadata.get(section)
        if not isinstance(values, dict):
            continue
        safe = {
            key: values[key]
            for key in required + optional
            if isinstance(values.get(key), str) and SAFE_WORD.match(values[key].replace("/", "_"))
        }
        if all(key in safe for key in required):
            kept[section] = safe
    return kept


def trusted_sources(notebooks: Iterable[Path]) -> set[str]:
    """The sources of every markdown and raw cell the course itself wrote."""
    sources = set()
    for path in notebooks:
        if Path(path).exists():
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type in ("markdown", "raw") and not cell.get("attachments"):
                    sources.add(cell.source)
    return sources


def make_inert(notebook: nbformat.NotebookNode, trusted: set[str] = frozenset()) -> list[str]:
    """Make a notebook inert in place; returns what was changed, for the instructor.

    trusted: sources of the course's own markdown and raw cells (`trusted_sources`); a cell
    whose source is one of them, with no attachments, is the course's text and stays as is.
    """
    changes: list[str] = []
    notebook.metadata = nbformat.from_dict(_notebook_metadata(notebook.get("metadata")))
    _make_cells_inert(notebook, trusted, changes)
    return list(dict.fromkeys(changes))


def _make_cells_inert(notebook, trusted: set[str], changes: list[str]) -> None:
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"cell {number}"
        cell.metadata = nbformat.from_dict(_cell_metadata(cell.get("metadata"), changes, where))
        source = _text(cell.get("source", ""))
        if cell.cell_type == "code":
            cell.outputs = inert_outputs(cell.get("outputs"), changes, where)
            count = cell.get("execution_count")
            cell.execution_count = count if type(count) is int else None
        elif cell.cell_type == "markdown":
            attachments = cell.pop("attachments", None)
            if source in trusted and not attachments:
                continue
            cell.source = inert_markdown(source, attachments)
            if attachments and len(_pictures_only(attachments)) < len(attachments):
                changes.append(f"{where}: attachments that are not pictures removed")
            if _active(source) and cell.source != source:
                changes.append(f"{where}: markdown cleaned (active content)")
        elif cell.cell_type == "raw":
            cell.pop("attachments", None)
            if source not in trusted:
                cell.source = clean_html(source)
                if cell.source != source:
                    changes.append(f"{where}: raw cell cleaned{_active(source)}")


def is_active(change: str) -> bool:
    """Whether a change removed content that would have run or loaded something."""
    return change.endswith("(active content)")


class InertOutputs(NbGraderPreprocessor):
    """nbgrader preprocessor: make the learner's notebook inert (see the module docstring).

    The course's own markdown is read from the assignment's source and release notebooks
    (nbgrader's CourseDirectory settings); what changed is kept in the notebook's metadata
    under `course_inert` (plain sentences of the grader's own, for the instructor).
    """

    def preprocess(self, nb, resources):
        from nbgrader.coursedir import CourseDirectory

        info = resources.get("nbgrader", {})
        assignment, name = info.get("assignment"), info.get("notebook")
        trusted = set()
        if assignment and name:
            coursedir = CourseDirectory(config=self.config)
            folders = [
                coursedir.format_path(coursedir.source_directory, ".", assignment),
                coursedir.format_path(coursedir.release_directory, ".", assignment),
            ]
            trusted = trusted_sources(Path(folder) / f"{name}.ipynb" for folder in folders)
        earlier = nb.get("metadata", {}).get("course_inert", [])
        changes = make_inert(nb, trusted)
        if isinstance(earlier, list):  # feedback runs again on an already inert notebook
            changes = [c for c in earlier if isinstance(c, str) and SAFE_CHANGE.match(c)] + [
                c for c in changes if c not in earlier
            ]
        if changes:
            nb.metadata["course_inert"] = changes
        return nb, resources


SAFE_CHANGE = re.compile(r"^[A-Za-z0-9 :,()/+._-]+$")


def changes_of(notebook: nbformat.NotebookNode) -> list[str]:
    """What InertOutputs changed in a stored notebook."""
    recorded = notebook.get("metadata", {}).get("course_inert", [])
    return [c for c in recorded if isinstance(c, str) and SAFE_CHANGE.match(c)]
