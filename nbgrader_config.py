"""nbgrader configuration for assigning the course's chapters (nbgrader 0.9).

Copy this file into the root of your nbgrader course folder (see
instructors.md). It changes one thing: the stub that replaces a solution
region at the top level of a cell.

nbgrader's default stub, ``# YOUR CODE HERE`` and ``raise
NotImplementedError()``, is right inside a function: the learner's function
raises until it is written, and its self-check says "not written yet". At the
top level of a cell, where a value exercise's answer goes (``answer = None``
then the solution region), the same ``raise`` would stop the notebook at the
first value exercise. There the stub below is the comment alone: the answer
stays ``None`` and its self-check says "not answered yet". The release then
runs from top to bottom, like the course's student edition
(``tools/student_edition.py``), which makes the same choice.
"""

import re

from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions
from traitlets import Unicode

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)


class ClearSolutionsKeepingCellsRunnable(ClearSolutions):
    """nbgrader's ClearSolutions, with a stub at the top level of a cell that does not raise."""

    top_level_code_stub = Unicode(
        "# YOUR CODE HERE",
        help="The code that replaces a solution region that is not indented (not inside a function)",
    ).tag(config=True)

    def _replace_solution_region(self, cell, language):
        """nbgrader's own method, except that a region's stub depends on its indentation."""
        if cell.cell_type != "code":
            return super()._replace_solution_region(cell, language)
        new_lines, in_solution, replaced = [], False, False
        for line in cell.source.split("\n"):
            if self.begin_solution_delimeter in line:
                if in_solution:
                    raise RuntimeError("encountered nested begin solution statements")
                in_solution = replaced = True
                indent = re.match(r"\s*", line).group(0)
                stub = self.code_stub[language] if indent else self.top_level_code_stub
                new_lines.extend(indent + stub_line for stub_line in stub.split("\n"))
            elif self.end_solution_delimeter in line:
                in_solution = False
            elif not in_solution:
                new_lines.append(line)
        if in_solution:
            raise RuntimeError("no end solution statement found")
        cell.source = "\n".join(new_lines)
        return replaced


c.GenerateAssignment.preprocessors = [
    ClearSolutionsKeepingCellsRunnable if preprocessor is ClearSolutions else preprocessor
    for preprocessor in GenerateAssignment.class_traits()["preprocessors"].default()
]
