"""The kernel of a learner's next notebook starts while the current notebook runs
(autograder/plugins/execute.py): each notebook still gets a fresh kernel of its own, and the
last one starts none ahead."""

import os

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.plugins import execute
from autograder.plugins.execute import ExecuteAndDecide

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def test_each_notebook_gets_a_fresh_kernel_started_ahead_and_the_last_starts_none(tmp_path):
    release, learner = tmp_path / "release", tmp_path / "learner"
    release.mkdir(), learner.mkdir()
    sources = {
        "01_first": "import os\nleft_behind = 'by notebook 01'\nprint(os.getpid())",
        "02_second": "import os\nprint(os.getpid(), 'left_behind' in globals())",
    }
    for name in sources:  # the learner changed the released cell, so it runs
        released = new_notebook(cells=[new_code_cell("# try things here")], metadata=KERNEL)
        nbformat.write(released, release / f"{name}.ipynb")
    outputs, ahead = {}, []
    for name, source in sources.items():
        notebook = new_notebook(cells=[new_code_cell(source)], metadata=KERNEL)
        grader = ExecuteAndDecide(skip_demonstrations_of=str(release), timeout=120)
        resources = {"unique_key": name, "metadata": {"path": str(learner)}}
        grader.preprocess(notebook, resources)
        outputs[name] = notebook.cells[0].outputs[0]["text"].split()
        ahead.append([km.provisioner.process.pid for km in execute._SPARE.values()])

    first_pid, (second_pid, leaked) = int(outputs["01_first"][0]), outputs["02_second"]
    assert int(second_pid) != first_pid and leaked == "False"  # a fresh kernel, nothing shared
    assert ahead[0] == [int(second_pid)]  # started while notebook 01 ran, then notebook 02's
    assert ahead[1] == []  # the last notebook starts none ahead
    assert os.getpid() not in (first_pid, int(second_pid))
