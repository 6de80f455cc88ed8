"""Which demonstration cells grading may leave out: most of a learner's grading time is the
notebooks' own figures and demonstrations, the same for every learner.

A code cell is left out while grading only when all of these hold (`cells_to_skip`):
  * it is no nbgrader cell (no answer, no test, not read-only), and its source is, character
    for character, one of the release's ungraded code cells: the learner did not change it;
  * nothing it defines (assignments, imports, functions) is read by a later cell that runs;
  * whatever it may change without defining it (the outer names it passes to a call, calls
    a method on, or assigns into: a random generator advanced, an array changed in place)
    is read by no later answer or test cell, nor by any later cell such a cell depends on;
  * its source parses as plain Python (no magics, no shell escapes).
Names are found with `symtable`, so a function's own parameters and locals do not count, and
modules (names bound by an import) are never taken as changed.

A left-out cell keeps its source and gets one output saying so (`SKIPPED_NOTE`); its own
outputs are in the learner's notebook. Grades never depend on such a cell: the answers and
tests run exactly as they would, on the same names.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from pathlib import Path

import nbformat

SKIPPED_NOTE = (
    "Not run while grading: this demonstration is unchanged from the course's notebook and "
    "nothing graded depends on it. Its output is in your own notebook.\n"
)


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_graded_or_answer(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade") or meta.get("solution"))


def is_course_cell(cell) -> bool:
    """An nbgrader cell of any kind (answer, test, read-only)."""
    meta = _nbgrader(cell)
    return bool(meta.get("grade") or meta.get("solution") or meta.get("locked"))


def demonstration_sources(release_notebook: Path) -> set[str]:
    """The sources of the release notebook's ungraded code cells."""
    notebook = nbformat.read(release_notebook, as_version=4)
    return {c.source for c in notebook.cells if c.cell_type == "code" and not is_course_cell(c)}


class CellNames:
    """What a cell's source reads, binds and may change, at the notebook's top level."""

    def __init__(self, source: str):
        self.reads: set[str] = set()
        self.binds: set[str] = set()
        self.changes: set[str] = set()
        self.imports: set[str] = set()
        tree = ast.parse(source)  # SyntaxError for magics: the caller keeps such a cell
        table = symtable.symtable(source, "<cell>", "exec")
        for symbol in table.get_symbols():
            name = symbol.get_name()
            if symbol.is_referenced():
                self.reads.add(name)
            if symbol.is_assigned() or symbol.is_imported():
                self.binds.add(name)
            if symbol.is_imported():
                self.imports.add(name)
        self._nested_reads(table)
        self.reads -= set(dir(builtins))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    self.changes |= _root_names(argument)
                if isinstance(node.func, ast.Attribute):
                    self.changes |= _root_names(node.func.value)
            elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(
                node.ctx, (ast.Store, ast.Del)
            ):
                self.changes |= _root_names(node.value)
            elif isinstance(node, ast.AugAssign):
                self.changes |= _root_names(node.target)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                self.changes |= set(node.names)

    def _nested_reads(self, table) -> None:
        for child in table.get_children():
            for symbol in child.get_symbols():
                if symbol.is_global() or symbol.is_free():
                    self.reads.add(symbol.get_name())
                if symbol.is_global() and symbol.is_assigned():
                    self.binds.add(symbol.get_name())
            self._nested_reads(child)


def _root_names(node: ast.AST) -> set[str]:
    """The names an expression may hand over by reference (`a`, `a.b`, `a[i]`, `(a, b)`)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        return _root_names(node.value)
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_root_names(e) for e in node.elts)) if node.elts else set()
    return set()


def cells_to_skip(notebook, demonstrations: set[str]) -> set[int]:
    """Indices of the notebook's cells that grading may leave out (see the module docstring)."""
    names: dict[int, CellNames | None] = {}
    modules: set[str] = set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            names[index] = CellNames(cell.source)
            modules |= names[index].imports
        except (SyntaxError, ValueError):
            names[index] = None
    read_later: set[str] = set()  # read by a later cell that runs
    graded_needs: set[str] = set()  # read by a later answer or test, or by what they rely on
    skip: set[int] = set()
    for index in sorted(names, reverse=True):
        cell, found = notebook.cells[index], names[index]
        if found is None:  # magics or broken Python: it runs, and may touch anything
            read_later |= {"*"}
            graded_needs |= {"*"}
            continue
        candidate = (
            not is_course_cell(cell)
            and cell.source in demonstrations
            and "*" not in read_later
            and not found.binds & read_later
            and not (found.changes - modules) & graded_needs
        )
        if candidate:
            skip.add(index)
            continue
        read_later |= found.reads
        if is_graded_or_answer(cell) or found.binds & graded_needs:
            graded_needs |= found.reads | found.changes
    return skip
