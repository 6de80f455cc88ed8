"""Learner content is made inert before it is stored or shown (autograder/plugins/inert.py), feedback
pages carry a Content-Security-Policy (autograder/plugins/feedback.py), and nothing but notebooks stays
in a graded learner's folder. Fast checks on the notebook and HTML level; the browser tests
(tests/browser/test_inert_views.py) open the real views."""

from __future__ import annotations

import base64
import copy

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbgrader.converters import Autograde
from payloads import Elements, add_payloads, html_payloads, markdown_cells, output_cells
from traitlets.config import Config

from autograder.pipeline.course import SOLUTIONS, keep_only_notebooks
from autograder.plugins.feedback import (
    CONTENT_SECURITY_POLICY,
    InertFeedbackExporter,
    policy_comes_first,
)
from autograder.plugins.inert import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    clean_html,
    inert_markdown,
    make_inert,
    render_markdown,
    trusted_sources,
)
from autograder.plugins.settings import AUTOGRADE_PREPROCESSORS, FEEDBACK_PREPROCESSORS, apply

BASE = "http://127.0.0.1:9"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
HONEST_HTML = (
    "<h2>Results</h2><p>Some <em>text</em> and <code>code</code>.</p>"
    "<ul><li>one</li><li>two</li></ul><ol start='3'><li>three</li></ol>"
    "<table><thead><tr><th colspan='2'>a</th></tr></thead><tbody><tr><td>1</td><td>2</td>"
    "</tr></tbody></table><pre>x = 1</pre><blockquote>quoted</blockquote>"
    f"<img src='data:image/png;base64,{PNG}' alt='a picture' width='10'>"
    "<a href='https://example.org/paper'>paper</a> <a href='#top'>top</a>"
)
HONEST_MARKDOWN = (
    "## Heading\n\nA paragraph with *emphasis*, `code` and $\\lambda = 1 - r$.\n\n"
    "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n"
)


def assert_allow_listed(text: str) -> None:
    for tag, attributes in Elements(text).tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> kept in {text!r}"
        for name, value in attributes.items():
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name, text)
            if name != "href":  # a link is only followed when clicked (and has no script)
                assert "/hit/" not in (value or ""), f"{tag} {name}={value!r} still requests"
            if name == "src":
                assert value.startswith(("data:image/png;base64,", "data:image/jpeg;base64,"))
            if name == "href":
                assert value.startswith(("https://", "http://", "#")), value


@pytest.mark.parametrize("name", sorted(html_payloads(BASE)))
def test_every_html_payload_is_cleaned_to_the_allow_list(name):
    cleaned = clean_html(html_payloads(BASE)[name])
    assert_allow_listed(cleaned)
    assert "script" not in cleaned.lower() or "&lt;script" in cleaned.lower()
    assert clean_html(cleaned) == cleaned  # cleaning twice changes nothing


def test_honest_html_keeps_headings_paragraphs_lists_tables_code_and_pictures():
    before, after = Elements(HONEST_HTML), Elements(clean_html(HONEST_HTML))
    for names in [("h2",), ("p",), ("li",), ("table", "tr", "td", "th"), ("pre", "code"), ("img",)]:
        assert after.count(*names) == before.count(*names) > 0, names
    (picture,) = [attrs for tag, attrs in after.tags if tag == "img"]
    assert picture["src"] == f"data:image/png;base64,{PNG}" and picture["width"] == "10"
    links = [attrs["href"] for tag, attrs in after.tags if tag == "a"]
    assert links == ["https://example.org/paper", "#top"]


def test_pictures_must_really_be_png_or_jpeg():
    svg = base64.b64encode(b"<svg onload='x'/>").decode()
    for src in (
        f"data:image/svg+xml;base64,{svg}",
        f"data:image/png;base64,{svg}",  # says PNG, is SVG
        "data:text/html;base64,PHNjcmlwdD4=",
        f"{BASE}/hit/remote.png",
        "x",
    ):
        assert "src" not in Elements(clean_html(f'<img src="{src}">')).tags[0][1], src


def test_math_that_makes_links_or_styles_is_shown_as_names():
    cleaned = clean_html(
        r"<p>$\href{javascript:alert(1)}{x} + \frac{a}{b} + \style{color:red}{y}$</p>"
    )
    assert r"\href" not in cleaned and r"\style" not in cleaned and r"\frac{a}{b}" in cleaned


def test_honest_markdown_renders_the_same_after_it_is_made_inert():
    before = Elements(render_markdown(HONEST_MARKDOWN))
    source = inert_markdown(HONEST_MARKDOWN)
    after = Elements(render_markdown(source))  # what Formgrader renders from the stored cell
    for names in [("h2",), ("p",), ("li",), ("table", "tr", "td", "th"), ("pre",), ("code",)]:
        assert after.count(*names) == before.count(*names) > 0, names
    assert "$\\lambda = 1 - r$" in source


def test_markdown_never_fails_to_render():
    assert "missing" in render_markdown("![x](attachment:missing.png) missing")
    assert render_markdown("<" * 10_000 + "[" * 10_000)


def payload_notebook() -> nbformat.NotebookNode:
    """A notebook as a hostile learner's kernel and editor would leave it: every payload's
    output already present (as nbclient would record it) plus markdown, raw and metadata."""
    notebook = nbformat.read(SOLUTIONS / "cutout_cutmix" / "03_reversed_ratio_bug.ipynb", 4)
    notebook.cells += markdown_cells(BASE)
    outputs = []
    for value in html_payloads(BASE).values():
        outputs.append(nbformat.v4.new_output("display_data", data={"text/html": value}))
    outputs += [
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg onload=x>"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "<img src=x onerror=y>"}),
        nbformat.v4.new_output("display_data", data={"image/png": 'AAAA" onerror="x'}),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": PNG},
            metadata={"image/png": {"width": "1 onerror=x", "height": 5}},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": "<script>x</script>"},
            metadata={"text/html": {"isolated": True}},
        ),
        nbformat.v4.new_output("display_data", data={"text/latex": r"$\href{javascript:x}{y}$"}),
        nbformat.v4.new_output(
            "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}
        ),
        nbformat.v4.new_output("stream", name="stdout", text="<script>x</script>"),
        nbformat.v4.new_output("error", ename="E", evalue="<img src=x onerror=y>", traceback=[]),
    ]
    cell = nbformat.v4.new_code_cell("display(...)", outputs=outputs, execution_count=3)
    cell.metadata["tags"] = ['x" onmouseover="y']
    cell.metadata["jupyter"] = {"source_hidden": True}
    notebook.cells.append(cell)
    notebook.metadata["title"] = "</title><script>x</script>"
    notebook.metadata["widgets"] = {"state": "</script><script>x"}
    return notebook


def test_a_hostile_notebook_keeps_only_inert_content():
    notebook = payload_notebook()
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    trusted = trusted_sources([SOLUTIONS / "cutout_cutmix" / "03_reversed_ratio_bug.ipynb"])

    changes = make_inert(notebook, trusted)

    nbformat.validate(notebook)
    assert [c.source for c in notebook.cells if c.cell_type == "code"] == sources
    assert set(notebook.metadata) <= {"kernelspec", "language_info"}
    kinds = set()
    for cell in notebook.cells:
        assert set(cell.metadata) <= {"nbgrader", "tags"}
        assert all('"' not in tag for tag in cell.metadata.get("tags", []))
        if cell.cell_type in ("markdown", "raw") and cell.source not in trusted:
            assert_allow_listed(render_markdown(cell.source))
            assert "attachments" not in cell
        for output in cell.get("outputs", []):
            kinds.add(output.output_type)
            for mime, value in output.get("data", {}).items():
                assert mime in {"text/plain", "text/html", "image/png", "image/jpeg"}, mime
                if mime == "text/html":
                    assert_allow_listed(value)
            for sizes in output.get("metadata", {}).values():
                assert all(isinstance(v, int) for v in sizes.values()), sizes
    assert kinds == {"display_data", "stream", "error"}
    assert any("removed application/javascript (active content)" in c for c in changes)
    assert any("markdown cleaned (active content)" in c for c in changes)
    again = copy.deepcopy(notebook)
    assert make_inert(again, trusted) == [] and again == notebook  # inert stays inert


def test_the_courses_own_notebooks_are_left_exactly_as_they_are():
    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        notebook = nbformat.read(path, 4)
        original = copy.deepcopy(notebook)
        changes = make_inert(notebook, trusted_sources([path]))
        assert changes == [], (path.name, changes)
        assert [c.source for c in notebook.cells] == [c.source for c in original.cells]


def test_learners_text_where_the_course_had_its_own_is_cleaned():
    path = SOLUTIONS / "cutout_cutmix" / "01_cutout.ipynb"
    notebook = nbformat.read(path, 4)
    prose = next(c for c in notebook.cells if c.cell_type == "markdown")
    prose.source += "\n\n<img src=x onerror=alert(1)>"
    make_inert(notebook, trusted_sources([path]))
    assert "onerror" not in prose.source and prose.source.startswith("<div>")


def exported(notebook, exporter=None) -> str:
    exporter = exporter or HTMLExporter(template_name="classic")
    return exporter.from_notebook_node(notebook)[0]


def test_an_inert_notebook_renders_no_learner_script_in_nbconverts_templates():
    notebook = payload_notebook()
    make_inert(notebook)
    page = exported(notebook)
    empty = exported(nbformat.v4.new_notebook())
    assert page.count("<script") == empty.count("<script")  # the template's own only
    for tag, attributes in Elements(page).tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        for name, value in attributes.items():
            assert "javascript:" not in (value or ""), (tag, attributes)
            assert name == "href" or "/hit/" not in (value or ""), (tag, attributes)
    assert "&lt;script&gt;x&lt;/script&gt;" in page  # the stream, shown as text


def test_the_autograde_and_feedback_steps_make_notebooks_inert():
    assert AUTOGRADE_PREPROCESSORS.index("autograder.plugins.inert.InertOutputs") == (
        AUTOGRADE_PREPROCESSORS.index("nbgrader.preprocessors.saveautogrades.SaveAutoGrades") - 1
    )
    assert AUTOGRADE_PREPROCESSORS.index("autograder.plugins.execute.ExecuteAndDecide") == 0
    assert "autograder.plugins.inert.InertOutputs" in FEEDBACK_PREPROCESSORS


def feedback_exporter(**settings) -> InertFeedbackExporter:
    config = Config()
    apply(config)
    config.HTMLExporter.template_name = "feedback"  # what nbgrader's GenerateFeedback sets
    for name, value in settings.items():
        setattr(config.InertFeedbackExporter, name, value)
    return InertFeedbackExporter(config=config)


def graded(notebook):
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["score"] = cell.metadata.nbgrader.get("points", 0)
    return notebook


FEEDBACK_RESOURCES = {"nbgrader": {"notebook": "03", "score": 1, "max_score": 6, "late_penalty": 0}}


def test_feedback_pages_start_with_the_policy_and_run_no_script():
    notebook = graded(nbformat.read(SOLUTIONS / "cutout_cutmix" / "03_reversed_ratio_bug.ipynb", 4))
    page, _ = feedback_exporter().from_notebook_node(notebook, dict(FEEDBACK_RESOURCES))
    assert policy_comes_first(page)
    assert CONTENT_SECURITY_POLICY == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert "<script" not in page.lower() and "@font-face" not in page  # loads nothing
    assert "$\\lambda" in page or "\\lambda" in page  # math stays as TeX source


def test_a_feedback_template_without_the_policy_writes_nothing():
    notebook = graded(nbformat.read(SOLUTIONS / "cutout_cutmix" / "03_reversed_ratio_bug.ipynb", 4))
    with pytest.raises(RuntimeError, match="Content-Security-Policy"):
        feedback_exporter(template_name="feedback").from_notebook_node(
            notebook, dict(FEEDBACK_RESOURCES)
        )


def test_only_the_notebooks_stay_in_a_graded_folder(tmp_path):
    folder = tmp_path / "autograded" / "mallory" / "cutout_cutmix"
    notebook = nbformat.read(SOLUTIONS / "cutout_cutmix" / "03_reversed_ratio_bug.ipynb", 4)
    add_payloads(notebook, folder, BASE)  # evil.html, evil.svg, a file named with HTML
    nbformat.write(notebook, folder / "03_reversed_ratio_bug.ipynb")
    outside = tmp_path / "instructor.txt"
    outside.write_text("keep me")
    (folder / "written").mkdir()
    (folder / "written" / "page.html").write_text("<script>1</script>")
    (folder / "linked.html").symlink_to(outside)
    (folder / "linked_folder").symlink_to(tmp_path)
    (folder / "locked").mkdir()
    (folder / "locked").chmod(0)

    removed = keep_only_notebooks(folder)

    assert sorted(p.name for p in folder.iterdir()) == ["03_reversed_ratio_bug.ipynb"]
    assert outside.read_text() == "keep me" and tmp_path.is_dir()  # links were not followed
    assert "evil.html" in removed and "linked_folder" in removed and len(removed) == 7


def test_autograde_from_formgrader_also_keeps_only_the_notebooks(tmp_path):
    notebook = tmp_path / "submitted" / "lee" / "cutout_cutmix" / "01_cutout.ipynb"
    graded = tmp_path / "autograded" / "lee" / "cutout_cutmix"
    for folder in (notebook.parent, graded):
        folder.mkdir(parents=True)
        (folder / "01_cutout.ipynb").write_text("{}")
    (graded / "written.html").write_text("<script>1</script>")
    config = Config()
    apply(config)
    hook = Autograde(config=config).post_convert_hook  # what nbgrader calls after autograde
    hook(assignment="cutout_cutmix", student="lee", notebooks=[str(notebook)])
    assert [p.name for p in graded.iterdir()] == ["01_cutout.ipynb"]
    assert [p.name for p in notebook.parent.iterdir()] == ["01_cutout.ipynb"]


def test_code_outputs_of_the_payload_bank_compile():
    for cell in output_cells(BASE):
        compile(cell.source, "payload", "exec")
