"""Every stored figure is readable on a phone and sharp on a high-density screen.

Read from the stored images themselves: a PNG records its resolution (pHYs),
so its width in inches is its width in pixels over its dots per inch. At
:data:`lrcourse.plots.MAX_WIDTH` (6.4 in) a figure fills a 390 px phone's
column and its 9 pt text renders at about 7 CSS px; a wider figure is shrunk
below that. Static figures are stored at twice their display resolution
(:func:`lrcourse.plots.sharp_figures`); explorer frames at their own dpi.
"""

import base64
import io
import json
import re

import pytest
from PIL import Image

from conftest import ROOT
from lrcourse import plots

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
DATA_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def stored_images(path):
    """(where, image, display metadata or None) for every PNG in the notebook's outputs."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
                yield f"cell {k}", image, output.get("metadata", {}).get("image/png")
            for j, frame in enumerate(DATA_PNG.findall("".join(data.get("text/html", "")))):
                yield f"cell {k} explorer frame {j}", Image.open(io.BytesIO(base64.b64decode(frame))), None


def inches(image):
    assert "dpi" in image.info, "the PNG must record its resolution (pHYs)"
    return image.width / image.info["dpi"][0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_is_at_most_a_phone_column_wide(path):
    too_wide = [
        f"{where}: {inches(image):.2f} in"
        for where, image, _ in stored_images(path)
        if inches(image) > plots.MAX_WIDTH + 0.01
    ]
    assert not too_wide, f"figures wider than {plots.MAX_WIDTH} in (stack or split the panels): {too_wide}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_static_figures_are_stored_for_high_density_screens(path):
    for where, image, shown in stored_images(path):
        if "explorer" in where:
            continue
        assert shown is not None, f"{where}: no display size; call plots.sharp_figures() after the imports"
        assert image.width >= 2 * shown["width"] - 1, f"{where}: {image.width} px shown at {shown['width']} px"


def test_the_chapters_store_figures():
    counts = [sum(1 for _ in stored_images(path)) for path in NOTEBOOKS]
    assert all(counts), dict(zip((p.stem for p in NOTEBOOKS), counts))
