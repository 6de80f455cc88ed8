"""The Python environments the hub runs, built with Debian's /usr/bin/python3 outside the
repository, from the project's pins; and the instructor's deployment of the repository.

    /opt/cutout-course/hub-env       JupyterHub (pyproject's `hub` extra) and the exchange
                                     service (cutout_course_hub, copied from autograder/hub/)
    /opt/cutout-course/learner-env   what the learner kits need (their requirements), nbgrader
                                     for the Assignment List, JupyterHub's single-user server,
                                     and the exchange client (cutout_course_exchange)
    /home/<instructor>/course        the repository, its .venv (the course, nbgrader,
                                     JupyterHub's single-user server, the exchange client) and
                                     the kits; owned by the instructor, mode 0700

Each environment records the requirements it was built from and is rebuilt only when they
change, so starting the hub again installs nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

from autograder.hub.layout import (
    CLIENT_MODULE,
    COURSE_ID,
    HUB_ENV,
    LEARNER_ENV,
    ROOT,
    SERVICE_PACKAGE,
    SYSTEM_PYTHON,
    Layout,
)
from autograder.lab import QUIET_PLUGINS
from autograder.limits import VALIDATE_CELL_SECONDS

HERE = Path(__file__).resolve().parent
# On the hub a learner fetches and submits through the Assignment List (and its menu entry);
# Formgrader, the Create Assignment panel and the Course List stay the instructor's.
LEARNER_HUB_DISABLED_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
STAMP = ".course-requirements"


class EnvironmentError_(RuntimeError):
    """An environment could not be built; the message says which command failed and why."""


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise EnvironmentError_(f"{' '.join(map(str, command))} failed:\n{tail}")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def hub_requirements() -> list[str]:
    """pyproject's `hub` extra: JupyterHub for the hub and every single-user server."""
    return list(pyproject()["project"]["optional-dependencies"]["hub"])


def instructor_requirements() -> list[str]:
    """The hub's pins and the project's own (its `dependencies`), so that the instructor's
    .venv is rebuilt when either changes, not only when the hub's do."""
    return sorted(set(hub_requirements()) | set(pyproject()["project"]["dependencies"]))


def pin_of(distribution: str) -> str:
    for line in pyproject()["project"]["dependencies"]:
        if line.split("==")[0].strip().lower() == distribution:
            return line
    raise EnvironmentError_(f"pyproject.toml pins no {distribution}")


def learner_requirements() -> list[str]:
    """What every learner kit needs (the kits' requirements.txt, from the project's pins),
    nbgrader for the Assignment List, and the hub's pins for the single-user server."""
    from autograder.kit import ALWAYS, pinned, third_party
    from autograder.pipeline.course import assignments

    lines = set(hub_requirements()) | {pin_of("nbgrader")} | set(pinned(ALWAYS))
    for assignment in assignments():
        lines |= set(pinned(third_party(assignment)))
    return sorted(lines)


def site_packages(env: Path) -> Path:
    # The environment's own Python version (Debian's), not the one running this code.
    return next((env / "lib").glob("python3.*/site-packages"))


def ensure_venv(env: Path, requirements: list[str], editable: Path | None = None) -> bool:
    """Create `env` with Debian's Python and install `requirements` (and `editable`) unless
    it was built from exactly these already. Returns whether anything was installed."""
    wanted = json.dumps({"requirements": requirements, "editable": str(editable or "")})
    stamp = env / STAMP
    if stamp.is_file() and stamp.read_text() == wanted and (env / "bin" / "python").exists():
        return False
    if not SYSTEM_PYTHON.exists():
        raise EnvironmentError_(f"{SYSTEM_PYTHON} is missing: apt-get install python3 python3-venv")
    if not (env / "bin" / "python").exists():
        _run([str(SYSTEM_PYTHON), "-m", "venv", str(env)])
    command = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements]
    if editable is not None:
        command += ["--editable", str(editable)]
    print(f"installing into {env}: {' '.join(requirements)}", flush=True)
    _run(command)
    stamp.write_text(wanted)
    return True


def install_module(env: Path, source: Path, name: str) -> None:
    """Copy one of autograder/hub's modules into `env` under the name the configs use."""
    shutil.copyfile(source, site_packages(env) / name)


def nbgrader_exchange_config(learner: bool, deployment: Path | None = None) -> str:
    """The nbgrader settings that replace its filesystem exchange with the course's."""
    from autograder.hub.exchange_client import CLASSES

    lines = [
        '"""Written by autograder/hub/environments.py: nbgrader talks to the course exchange."""',
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
    ]
    for trait, cls in CLASSES.items():
        lines.append(f"c.ExchangeFactory.{trait} = {f'{CLIENT_MODULE}.{cls.__name__}'!r}")
    if learner:
        # Validate runs each cell with the course's limit, as in `make lab`.
        lines.append(f"c.Execute.timeout = {VALIDATE_CELL_SECONDS}")
    else:
        # The instructor releases the learner kits (build/learner/<assignment>, made by
        # `python -m autograder.kit`), not the bare notebooks of nbgrader's release folder.
        lines.append("c.CourseReleaseAssignment.kit_directory = 'build/learner'")
        # Feedback from the grading command's course folder is sent for the submission that
        # was collected (its timestamp.txt from the service).
        collected = deployment / "build" / "course" / "submitted"
        lines.append(f"c.CourseReleaseFeedback.collected_directory = {str(collected)!r}")
    return "\n".join(lines) + "\n"


def write_jupyter_config(env: Path, learner: bool, deployment: Path | None = None) -> None:
    """nbgrader's and JupyterLab's settings for every server run from `env`."""
    folder = env / "etc" / "jupyter"
    (folder / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(nbgrader_exchange_config(learner, deployment))
    disabled = QUIET_PLUGINS + (LEARNER_HUB_DISABLED_PLUGINS if learner else ())
    page_config = {"disabledExtensions": {plugin: True for plugin in disabled}}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page_config, indent=1))
    if learner:
        # A learner's server offers the Assignment List and Validate, not the instructor's
        # Formgrader or course list. In jupyter_server_config.json, which is read after the
        # packages' own switches in jupyter_server_config.d (nbgrader.json turns them on).
        server_config = {
            "ServerApp": {
                "jpserver_extensions": {
                    "nbgrader.server_extensions.formgrader": False,
                    "nbgrader.server_extensions.course_list": False,
                }
            }
        }
    else:
        # Formgrader is a page in an iframe of the instructor's lab; JupyterHub's single-user
        # server forbids all framing (frame-ancestors 'none') unless a policy is set. Only
        # the instructor's server allows its own origin; learners' servers keep 'none'.
        server_config = {
            "ServerApp": {
                "tornado_settings": {
                    "headers": {"Content-Security-Policy": "frame-ancestors 'self'"}
                }
            }
        }
    (folder / "jupyter_server_config.json").write_text(json.dumps(server_config, indent=1))
    # Environments built before these settings moved here had them in the .d folder.
    for earlier in ("cutout-course-learner.json", "cutout-course-instructor.json"):
        (folder / "jupyter_server_config.d" / earlier).unlink(missing_ok=True)


def ensure_hub_env() -> Path:
    ensure_venv(HUB_ENV, hub_requirements())
    package = site_packages(HUB_ENV) / SERVICE_PACKAGE
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(
        '"""The course exchange service (from autograder/hub/)."""\n'
    )
    for module in ("service.py", "store.py"):
        shutil.copyfile(HERE / module, package / module)
    return HUB_ENV


def ensure_learner_env() -> Path:
    ensure_venv(LEARNER_ENV, learner_requirements())
    install_module(LEARNER_ENV, HERE / "exchange_client.py", f"{CLIENT_MODULE}.py")
    write_jupyter_config(LEARNER_ENV, learner=True)
    return LEARNER_ENV


def repository_files() -> list[str]:
    """The repository's files as a clone would have them, plus new ones not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def deploy_instructor(layout: Layout) -> Path:
    """The repository for the instructor: their copy, their .venv, their kits; 0700."""
    deployment = layout.deployment
    deployment.mkdir(mode=0o700, exist_ok=True)
    os.chmod(deployment, 0o700)
    # Replace the code, keep the instructor's .venv and build/ (gradebook, collected work).
    for child in deployment.iterdir():
        if child.name not in (".venv", "build"):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for name in repository_files():
        target = deployment / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    env = deployment / ".venv"
    ensure_venv(env, instructor_requirements(), editable=deployment)
    install_module(env, HERE / "exchange_client.py", f"{CLIENT_MODULE}.py")
    write_jupyter_config(env, learner=False, deployment=deployment)
    # The class roster: the learner accounts, as Formgrader's students (the grading command
    # reads them there, so a learner who hands nothing in is "not submitted").
    roster = deployment / "build" / "roster.csv"
    roster.parent.mkdir(exist_ok=True)
    roster.write_text("id,last_name\n" + "".join(f"{n},{n}\n" for n in layout.learners))
    _run(["chown", "-R", f"{layout.instructor}:{layout.instructor}", str(deployment)])
    as_instructor = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", layout.instructor, "--"]
    instructor_env = {
        "PATH": f"{env / 'bin'}:/usr/bin:/bin",
        "HOME": str(deployment.parent),
        "MPLBACKEND": "Agg",
    }
    _run(
        [*as_instructor, str(env / "bin" / "nbgrader"), "db", "student", "import", str(roster)],
        cwd=deployment,
        env=instructor_env,
    )
    # The kits are what the instructor releases: build them as the instructor, in the copy.
    _run(
        [*as_instructor, str(env / "bin" / "python"), "-m", "autograder.kit"],
        cwd=deployment,
        env=instructor_env,
    )
    return deployment
