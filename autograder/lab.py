"""JupyterLab for the course, as a learner or as an instructor, with its state in build/.

    python -m autograder.lab learner      # notebooks/: the notebooks and Validate, nothing else
    python -m autograder.lab instructor   # the project: Formgrader, Create Assignment, all of nbgrader

Options: --port N, --no-browser, --root-dir DIR (the folder JupyterLab shows) and, for
instructors, --course-root DIR (an nbgrader course folder, e.g. build/grading/course after
`make grade`, whose gradebook Formgrader then shows) and --db URL (the PostgreSQL gradebook
that `python -m autograder.grade --db URL` wrote, instead of the folder's gradebook.db).

Each role keeps everything Jupyter writes (config, data, runtime files, IPython history,
settings, workspaces) in build/lab/<role>/, so a lab never reads or changes ~/.jupyter, and the
learner's lab never shows the instructor's settings. The browser tests (tests/browser/) start
their servers through `lab_command`, so they test exactly what `make lab` starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograder.limits import VALIDATE_CELL_SECONDS
from autograder.pipeline.gradebook import gradebook_url, sqlite_url

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
ROLES = ("learner", "instructor")

# nbgrader's JupyterLab plugins (the @jupyter/nbgrader labextension) that a learner does not
# get: Formgrader, the Create Assignment panel and the Course List are the instructor's; the
# Assignment List fetches and submits through an nbgrader exchange, which this course does not
# use (learners get notebooks/ and hand in their notebook files). Without them the Nbgrader
# menu would be empty, so it goes too. Validate stays.
LEARNER_DISABLED_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:menu",
)
# The server side of the same tools; validate_assignment stays.
NBGRADER_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": "instructor",
    "nbgrader.server_extensions.course_list": "instructor",
    "nbgrader.server_extensions.assignment_list": "instructor",
    "nbgrader.server_extensions.validate_assignment": "learner",
}
# Both roles: no "receive Jupyter news?" prompt (the course is used offline too).
QUIET_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)
LEARNER_CONFIG = (
    "# Written by autograder.lab for the learner's lab; do not edit.\n"
    "c = get_config()  # noqa: F821\n"
    f"c.Execute.timeout = {VALIDATE_CELL_SECONDS}\n"
)


def state_dir_of(role: str) -> Path:
    """Where a role's lab keeps its state: build/lab/<role>/."""
    return ROOT / "build" / "lab" / role


def default_root_dir(role: str) -> Path:
    """The folder the lab opens: the learner's notebooks, or the whole project."""
    return ROOT / "notebooks" if role == "learner" else ROOT


def resolve_root_dir(role: str, root_dir: Path | None, course_root: Path | None = None) -> Path:
    """The folder the lab shows: as given, else the course root, else the role's default."""
    return Path(root_dir or course_root or default_root_dir(role)).resolve()


def lab_command(
    role: str,
    port: int,
    root_dir: Path | None = None,
    state_dir: Path | None = None,
    *,
    course_root: Path | None = None,
    token: str | None = None,
    open_browser: bool = False,
    db_url: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a JupyterLab server for `role` on 127.0.0.1:port.

    Writes the role's configuration into `state_dir` (default build/lab/<role>/) first.
    Run `argv` with the working directory `root_dir`: nbgrader reads nbgrader_config.py from
    there (the project's, or the one a graded course folder holds). `course_root` (instructor
    only) points Formgrader at another course folder and its gradebook.db, or with `db_url`
    at that PostgreSQL gradebook (its password goes into the server's PGPASSWORD, never into
    a file). `token` None lets Jupyter make one (it prints the URL to open).
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if course_root is not None and role != "instructor":
        raise ValueError("only the instructor's lab has a course root")
    if db_url is not None and course_root is None:
        raise ValueError("a gradebook URL goes with the course root it was graded into")
    course_root = Path(course_root).resolve() if course_root else None
    db, secret = gradebook_url(db_url) if db_url else (None, {})
    root_dir = resolve_root_dir(role, root_dir, course_root)
    state = Path(state_dir or state_dir_of(role)).resolve()
    config_dir = state / "config"
    write_config(role, config_dir, course_root, db)

    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ)
    # matplotlib's inline backend is what shows pictures in a notebook; ipykernel only sets it
    # when MPLBACKEND is unset, and the test command sets MPLBACKEND=Agg.
    env.pop("MPLBACKEND", None)
    env.update(
        {
            "JUPYTER_CONFIG_DIR": str(config_dir),
            "JUPYTER_DATA_DIR": str(state / "data"),
            "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
            "IPYTHONDIR": str(state / "ipython"),
            "MPLCONFIGDIR": env.get("MPLCONFIGDIR", str(ROOT / "build" / "matplotlib")),
            "PYTHONDONTWRITEBYTECODE": "1",
            # nbgrader and the kernels run the virtual environment's programs.
            "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
            **secret,
        }
    )
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root_dir}",
        f"--ServerApp.open_browser={open_browser}",
        # Offline-friendly: no update checks, no extension search on PyPI.
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # containers and CI often run as root
    if token is not None:
        argv += [f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
    return argv, env


def write_config(
    role: str, config_dir: Path, course_root: Path | None = None, db_url: str | None = None
) -> None:
    """Write the role's Jupyter configuration (rewritten on every start, so never stale)."""
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    disabled = QUIET_PLUGINS + (LEARNER_DISABLED_PLUGINS if role == "learner" else ())
    page_config = {"disabledExtensions": {plugin: True for plugin in disabled}}
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(page_config, indent=1))
    extensions = {
        name: role == "instructor" or needed_by == "learner"
        for name, needed_by in NBGRADER_SERVER_EXTENSIONS.items()
    }
    server_config = {"ServerApp": {"jpserver_extensions": extensions}}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(server_config, indent=1))
    nbgrader_config = config_dir / "nbgrader_config.py"
    if role == "learner":
        nbgrader_config.write_text(LEARNER_CONFIG)
    elif course_root is None:
        # The working directory's nbgrader_config.py (the project's) configures nbgrader.
        nbgrader_config.unlink(missing_ok=True)
    else:
        nbgrader_config.write_text(course_config_text(course_root, db_url))


def course_config_text(course_root: Path, db_url: str | None = None) -> str:
    """nbgrader configuration for Formgrader on a course folder made by autograder.grade;
    db_url: its gradebook's URL without a password, default the folder's gradebook.db."""
    return (
        "# Written by autograder.lab for --course-root; do not edit.\n"
        "from autograder.plugins.settings import apply\n\n"
        "c = get_config()  # noqa: F821\n"
        "apply(c)\n"
        f"c.CourseDirectory.root = {str(course_root)!r}\n"
        f"c.CourseDirectory.source_directory = {str(SOLUTIONS)!r}\n"
        f"c.CourseDirectory.db_url = {db_url or sqlite_url(course_root)!r}\n"
    )


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.lab",
        description="JupyterLab for the course; its state stays in build/lab/<role>/.",
    )
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (8888)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--root-dir", type=Path, help="the folder JupyterLab shows")
    parser.add_argument(
        "--course-root",
        type=Path,
        help="instructor: the nbgrader course folder for Formgrader, e.g. build/grading/course",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="instructor, with --course-root: the PostgreSQL gradebook the grading command "
        "wrote (python -m autograder.grade --db URL)",
    )
    options = parser.parse_args(args)
    if options.db is not None and options.course_root is None:
        parser.error("--db goes with --course-root, the folder graded into that gradebook")
    if options.course_root is not None:
        if options.role != "instructor":
            parser.error("--course-root is for the instructor's lab")
        if options.db is None and not (options.course_root / "gradebook.db").exists():
            parser.error(f"{options.course_root} holds no gradebook.db: grade a class first")
    if options.db is not None:
        try:
            gradebook_url(options.db)
        except ValueError as error:
            parser.error(f"--db: {error}")
    argv, env = lab_command(
        options.role,
        options.port,
        options.root_dir,
        course_root=options.course_root,
        open_browser=not options.no_browser,
        db_url=options.db,
    )
    root_dir = resolve_root_dir(options.role, options.root_dir, options.course_root)
    print(f"JupyterLab for the {options.role} on {root_dir}; state in {state_dir_of(options.role)}")
    sys.stdout.flush()
    os.chdir(root_dir)
    os.execve(argv[0], argv, env)  # this process becomes the server: Ctrl-C stops it as usual
    return 1


if __name__ == "__main__":
    sys.exit(main())
