"""Real nbgrader runs on a course folder: release, collect, autograde, read the gradebook.

Every command runs nbgrader's own command line in a subprocess with the course folder
given explicitly, so tests, the demo and an instructor's run all use the same path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.nbgrader_settings import config_file_text

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "notebooks"
ASSIGNMENT = "cutout_cutmix"
NBGRADER = Path(sys.executable).with_name("nbgrader")


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds the end of its log."""


@dataclass(frozen=True)
class Course:
    """A folder that nbgrader treats as a course: gradebook, submitted, autograded, feedback."""

    root: Path
    source: Path = SOLUTIONS

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run one nbgrader command on this course; raise NbgraderError if it fails."""
        self.root.mkdir(parents=True, exist_ok=True)
        # cwd is the course folder, so this file (and not the project's) configures nbgrader.
        (self.root / "nbgrader_config.py").write_text(config_file_text())
        command = [
            str(NBGRADER),
            *args,
            f"--CourseDirectory.root={self.root}",
            f"--CourseDirectory.source_directory={self.source}",
            f"--CourseDirectory.db_url={self.db_url}",
        ]
        # nbgrader calls helper programs (alembic) by name: the venv's bin must be on PATH.
        env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        process = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=timeout, env=env
        )
        if process.returncode != 0:
            log = (process.stdout + process.stderr)[-4000:]
            raise NbgraderError(f"nbgrader {' '.join(args)} failed:\n{log}")
        return process

    def generate_release(self, release_dir: Path | None = None) -> Path:
        """nbgrader generate_assignment from the source notebooks; returns the release folder."""
        release_dir = Path(release_dir or self.root / "release")
        self.run(
            "generate_assignment",
            ASSIGNMENT,
            "--force",
            f"--CourseDirectory.release_directory={release_dir}",
        )
        return release_dir / ASSIGNMENT

    def submit(self, student: str, notebooks: dict[str, nbformat.NotebookNode | Path]) -> Path:
        """Place a learner's notebooks where nbgrader expects a collected submission."""
        folder = self.root / "submitted" / student / ASSIGNMENT
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, notebook in notebooks.items():
            if isinstance(notebook, Path):
                shutil.copyfile(notebook, folder / name)
            else:
                nbformat.write(notebook, folder / name)
        return folder

    def autograde(self, student: str = "*", timeout_per_cell: int = 120) -> None:
        """nbgrader autograde for one student (or every submitted one with "*")."""
        self.run(
            "autograde",
            ASSIGNMENT,
            "--force",
            f"--student={student}",
            f"--ExecutePreprocessor.timeout={timeout_per_cell}",
        )

    def scores(self, student: str) -> dict[str, dict[str, tuple[float, float]]]:
        """{notebook file name: {grade_id: (score, max_score)}} from nbgrader's gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gradebook:
            submission = gradebook.find_submission(ASSIGNMENT, student)
            return {
                f"{notebook.name}.ipynb": {
                    grade.name: (grade.score, grade.max_score) for grade in notebook.grades
                }
                for notebook in submission.notebooks
            }


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def notebook_names(folder: Path = SOLUTIONS / ASSIGNMENT) -> list[str]:
    return sorted(p.name for p in folder.glob("*.ipynb"))


def graded_cells(notebook: nbformat.NotebookNode) -> dict[str, float]:
    """{grade_id: points} of the notebook's graded cells."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"].get("points", 0))
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }


def dump(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True)
