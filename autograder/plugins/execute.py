"""nbgrader's Execute step, with every graded test cell decided outside the kernel.

The learner's notebook runs in its kernel as usual (its pictures and outputs reach the
feedback), except the graded test cells: when execution reaches one, the kernel is asked
to serve plain-data requests (augcourse/probe.py) and the cell's source runs here, in the
grading process (autograder/plugins/decide.py). Its outputs become the cell's outputs, and
nbgrader scores them as usual (an error means 0). Configured in nbgrader_settings.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from nbclient.util import ensure_async, run_sync
from nbformat import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from autograder.plugins import timing
from autograder.plugins.decide import (
    CALL_SECONDS,
    Decision,
    KernelLink,
    KernelUnresponsive,
    decide_cell,
)
from autograder.plugins.demonstrations import SKIPPED_NOTE, cells_to_skip, demonstration_sources

MISTAKE_METADATA = "course"  # cell metadata of a graded test cell: {"mistake": "function:key"}


def is_graded_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def draws_figure(cell) -> bool:
    """Whether an executed cell's outputs hold a picture."""
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


# The kernel started ahead for the learner's next notebook, by (folder, kernel name).
_SPARE: dict[tuple, object] = {}


async def _shutdown_spares() -> None:
    while _SPARE:
        _, spare = _SPARE.popitem()
        with contextlib.suppress(Exception):
            await ensure_async(spare.shutdown_kernel(now=True))


def _running(km) -> bool:
    """Whether a kernel started ahead is still running (it may have died waiting)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return km.has_kernel and process is not None and process.poll() is None


class ExecuteAndDecide(Execute):
    """Execute the notebook; decide graded test cells in this process, not in the kernel.

    Each step's time is recorded (autograder/plugins/timing.py): the kernel's start, the
    learner's cells (those that draw figures apart), the decisions, the kernel's stop."""

    skip_demonstrations_of = Unicode(
        "",
        help="The released assignment folder: demonstration cells unchanged from its notebooks "
        "that nothing graded depends on are left out (autograder/plugins/demonstrations.py). "
        "Empty: every cell runs.",
    ).tag(config=True)

    # The notebooks whose kernel this process started, by folder (a learner's).
    _notebooks_begun: dict[str, set[str]] = {}

    def preprocess(self, nb, resources=None, km=None):
        before, started = timing.spent(), time.perf_counter()
        self._skipped = self._cells_to_skip(nb, resources or {})
        try:
            return super().preprocess(nb, resources, km)
        finally:
            timing.rest("kernel stop", time.perf_counter() - started, before)

    def create_kernel_manager(self):
        """The kernel started ahead for this notebook while the learner's previous one ran,
        if there is one; otherwise a new manager (nbclient then starts its kernel)."""
        if not self.kernel_name:  # as nbclient picks it
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or ""
        spare = _SPARE.pop(self._spare_key(), None)
        if spare is not None and _running(spare):
            self.km = spare
            return spare
        return super().create_kernel_manager()

    async def async_start_new_kernel(self, **kwargs):
        with timing.measured("kernel start"):
            return await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        with timing.measured("kernel start"):
            started = await super().async_start_new_kernel_client()
        folder, _ = self._spare_key()
        begun = self._notebooks_begun.setdefault(folder, set())
        begun.add(self.resources.get("unique_key", ""))
        await self._start_spare(begun)
        return started

    def _spare_key(self) -> tuple[str, str]:
        """(the learner's folder, the kernel's name): what a kernel started ahead must match."""
        return (self.resources.get("metadata", {}).get("path") or "", self.kernel_name)

    async def _start_spare(self, begun: set[str]) -> None:
        """Start the kernel of the learner's next notebook now, in the same folder: a fresh
        kernel all the same, whose start overlaps this notebook's cells instead of adding
        to them. Only while notebooks of the release remain beyond those `begun`; a spare
        left unused dies with this grading process (bubblewrap's --die-with-parent) or is
        shut down here."""
        released = Path(self.skip_demonstrations_of or "/nonexistent")
        folder, kernel_name = self._spare_key()
        if not kernel_name or not {p.stem for p in released.glob("*.ipynb")} - begun:
            return
        await _shutdown_spares()
        spare = self.kernel_manager_class(kernel_name=kernel_name, config=self.config)
        try:
            await ensure_async(
                spare.start_kernel(extra_arguments=self.extra_arguments, cwd=folder or None)
            )
        except Exception:  # no spare: the next notebook starts its kernel as usual
            self.log.warning("could not start the next notebook's kernel ahead", exc_info=True)
            return
        _SPARE[(folder, kernel_name)] = spare

    def _cells_to_skip(self, nb, resources: dict) -> set[int]:
        released = Path(self.skip_demonstrations_of or "/nonexistent") / (
            f"{resources.get('unique_key', '')}.ipynb"
        )
        if not self.skip_demonstrations_of or not released.is_file():
            return set()
        return cells_to_skip(nb, demonstration_sources(released))

    async def async_execute_cell(
        self, cell: NotebookNode, cell_index: int, execution_count=None, store_history=True
    ):
        if cell_index in getattr(self, "_skipped", ()):
            cell.outputs = [
                from_dict({"output_type": "stream", "name": "stdout", "text": SKIPPED_NOTE})
            ]
            cell.execution_count = None
            return cell
        if not is_graded_test(cell):
            started = time.perf_counter()
            try:
                return await super().async_execute_cell(
                    cell, cell_index, execution_count, store_history
                )
            finally:
                timing.add(
                    "figures" if draws_figure(cell) else "learner cells",
                    time.perf_counter() - started,
                )
        before, started = timing.spent(), time.perf_counter()
        decision = await self._decide(cell)
        timing.rest("decisions", time.perf_counter() - started, before)
        cell.outputs = [from_dict(o) for o in decision.outputs]
        cell.execution_count = None
        # The mistake recognised, as a key for the instructor's table (never a learner's
        # metadata: it is set or removed here for every graded test cell).
        cell.metadata.pop(MISTAKE_METADATA, None)
        if decision.mistake:
            cell.metadata[MISTAKE_METADATA] = {"mistake": decision.mistake}
        return cell

    # nbclient binds these to its own coroutines at class creation: rebind them here.
    execute_cell = run_sync(async_execute_cell)
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _decide(self, cell: NotebookNode) -> Decision:
        where = Path(self.resources.get("metadata", {}).get("path") or ".")
        folder = tempfile.mkdtemp(prefix=".grading-", dir=where)
        try:
            for name in ("requests", "replies"):
                os.mkfifo(Path(folder, name), 0o600)
            code = (
                "import augcourse.probe as _course_probe\n"
                f"_course_probe.serve_main({folder!r}, globals())\n"
                "del _course_probe\n"
            )
            msg_id = await ensure_async(
                self.kc.execute(code, store_history=False, allow_stdin=False)
            )
            outputs = await asyncio.to_thread(self._decide_with_link, cell.source, folder)
            waiting = time.perf_counter()
            try:
                await asyncio.wait_for(self.async_wait_for_reply(msg_id), timeout=CALL_SECONDS)
            except Exception:  # the kernel is stuck in the learner's code: stop it
                await self._interrupt()
            timing.add("decision: kernel reply", time.perf_counter() - waiting)
            return outputs
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _decide_with_link(self, source: str, folder: str) -> Decision:
        try:
            with timing.measured("decision: link"):
                link = KernelLink(folder, time.monotonic() + CALL_SECONDS)
        except KernelUnresponsive:
            return decide_cell(source, None)
        try:
            with timing.measured("decision: checks"):
                return decide_cell(source, link)
        finally:
            link.close()

    async def _interrupt(self) -> None:
        if self.km is not None:
            try:
                await self.km.interrupt_kernel()
            except Exception:
                self.log.warning("could not interrupt the kernel after a test cell")
