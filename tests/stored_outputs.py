"""nbval's strict comparison of every chapter's stored outputs, against the book build's run of the chapter.

``jupyter-book build`` executes every chapter, and myst-nb writes each
executed notebook to ``_build/jupyter_execute/``. Running the chapters a
second time under nbval would check nothing more, so when the build is fresh
(``book_sources.build_problem`` finds nothing wrong), each chapter is
collected as nbval's own items (same sanitizers from ``--nbval-sanitize-with``,
same ``nbval-*`` tags, same failure reports, ids ``chapters/NAME.ipynb::Cell
N``) whose outputs come from the build instead of a kernel.

Without a fresh build, nbval runs the chapter itself as ``pytest --nbval``
does; under CI a missing or stale build is an error instead, so the stored
outputs are always compared and never silently with a different run.
``pytest --nbval`` (as ``tools/check_reproducible.py`` uses it) always runs
the chapters.
"""

import copy

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, coalesce_streams

from book_sources import build_problem
from conftest import IN_CI, ROOT

CHAPTERS = ROOT / "chapters"
EXECUTED = ROOT / "_build" / "jupyter_execute" / "chapters"


def pytest_collect_file(file_path, parent):
    """Collect a chapter notebook: compared with the build's run when the build is fresh or under CI, else run by nbval."""
    option = parent.config.option
    if file_path.suffix != ".ipynb" or file_path.parent != CHAPTERS or option.nbval or option.nbval_lax:
        return None
    if IN_CI or build_problem(ROOT) is None:
        return BuiltChapter.from_parent(parent, path=file_path)
    return IPyNbFile.from_parent(parent, path=file_path)


class BuiltChapter(IPyNbFile):
    """A chapter whose cells nbval compares with the cells of the build's executed copy."""

    def collect(self):
        """nbval's cell items, each comparing with the build; a collection error if the build is missing or stale."""
        problem = build_problem(ROOT)
        if problem:
            pytest.fail(f"the stored outputs are compared with the build's run, but {problem}", pytrace=False)
        for item in super().collect():
            yield BuiltCell.from_parent(self, name=item.name, cell_num=item.cell_num, cell=item.cell, options=item.options)

    def setup(self):
        """Read the build's executed copy of the chapter (instead of starting a kernel) and the sanitizers."""
        executed = nbformat.read(EXECUTED / self.path.name, as_version=4)
        self.executed_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
        stored = sum(cell.cell_type == "code" for cell in self.nb.cells)
        if len(self.executed_cells) != stored:
            raise RuntimeError(f"the build's copy of {self.path.name} has {len(self.executed_cells)} code cells, the notebook {stored}")
        self.setup_sanitize_files()


class BuiltCell(IPyNbCell):
    """One code cell: its stored outputs against the outputs the build computed, compared as nbval compares."""

    def runtest(self):
        """Fail, with nbval's report, if the build's outputs of this cell differ from the stored ones."""
        if self.options["skip"]:
            pytest.skip()
        executed = self.parent.executed_cells[self.cell_num]
        if executed.source != self.cell.source:
            self.raise_cell_error("The build ran other code in this cell than the notebook holds")
        outputs = coalesce_streams(copy.deepcopy(executed.outputs))
        errors = [output for output in outputs if output.output_type == "error"]
        if errors and not self.options["check_exception"]:
            self.raise_cell_error("Cell execution caused an exception", "\n" + "\n".join(errors[0].traceback))
        unrun = self.cell.execution_count is None
        if unrun and self.cell.outputs:
            self.raise_cell_error("Unrun reference cell has outputs")
        if self.options["check"] and not unrun and not self.compare_outputs(outputs, coalesce_streams(self.cell.outputs)):
            self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))
