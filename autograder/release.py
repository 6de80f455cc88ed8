"""Regenerate the learner notebooks (`notebooks/`) from the solutions with nbgrader, and the
learner kit of each assignment (`build/learner/`, autograder/kit.py).

Run after editing anything in `solutions/`: `make release`. The test suite regenerates
the release the same way and fails if `notebooks/` differs by a single byte.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder.kit import build_kit
from autograder.pipeline.course import ASSIGNMENT, RELEASE, Course, assignments


def build_release(destination: Path, assignment: str = ASSIGNMENT) -> Path:
    """Generate the learner version of an assignment's notebooks into destination/<assignment>."""
    with tempfile.TemporaryDirectory(prefix="course-release-") as workdir:
        course = Course(Path(workdir), assignment=assignment)
        generated = course.generate_release(Path(workdir) / "release")
        target = destination / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(generated, target)
    return target


def main() -> None:
    for assignment in assignments():
        target = build_release(RELEASE, assignment)
        names = sorted(p.name for p in target.glob("*.ipynb"))
        print(
            f"Released {len(names)} notebooks to {target.relative_to(RELEASE.parent)}: {', '.join(names)}"
        )
        kit = build_kit(assignment)
        print(f"  learner kit: {kit.relative_to(RELEASE.parent)}/ and {kit.name}.zip beside it")


if __name__ == "__main__":
    main()
