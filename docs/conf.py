"""Sphinx configuration of the sk_seqattn documentation.

Build (as CI does, warnings as errors)::

    .venv/bin/python -m sphinx -W -b html docs /tmp/sk_seqattn-docs

The gallery runs every script of ``examples/`` in its quick setting
(``SK_SEQATTN_DOCS_QUICK=1``, set below unless already set): a few epochs
each, so the pages show how the code runs and what it prints and plots,
not the accuracy of a full fit; measured figures are on the benchmarks
page, which is generated from ``benchmarks/results/*.txt`` at build time.
"""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

# Every example reads this as well as its --quick flag. Set
# SK_SEQATTN_DOCS_QUICK=0 to render the gallery with full fits (long).
os.environ.setdefault("SK_SEQATTN_DOCS_QUICK", "1")
# The examples call plt.show(): no window while building.
os.environ.setdefault("MPLBACKEND", "Agg")

import sk_seqattn  # noqa: E402

project = "sk_seqattn"
author = "the sk_seqattn developers"
copyright = "sk_seqattn developers"  # noqa: A001 (Sphinx's name)
release = sk_seqattn.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates"]

# -- API reference -------------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
# numpydoc: no autosummary of every member inside a class page (autodoc lists
# them), and no docstring validation at build time.
numpydoc_show_class_members = False
numpydoc_validation_checks = set()

# -- Gallery -------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "examples")],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"\.py$",  # run every example (quick setting), not only plot_*
    "remove_config_comments": True,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("sk_seqattn",),
    "backreferences_dir": "gen_modules/backreferences",
    # An API page whose object no example uses has no mini-gallery: not a problem.
    "log_level": {"backreference_missing": "debug"},
    "show_memory": False,
}

# -- Markdown (user guide, changelog) ------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# -- HTML ----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sk_seqattn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


# -- Generated pages -----------------------------------------------------------------
RESULTS = ROOT / "benchmarks" / "results"
GENERATED = DOCS / "_generated"
RESULT_GROUPS = (
    ("Forecasting", ("forecast_",)),
    ("Translation", ("translator_", "vs_opennmt")),
    ("Estimator layer, command line and costs",
     ("regressor_", "threads", "cost_table", "cli_")),
)


def _group(name):
    for title, prefixes in RESULT_GROUPS:
        if name.startswith(prefixes):
            return title
    return RESULT_GROUPS[-1][0]


def write_benchmark_results(root=RESULTS, out=GENERATED / "benchmark_results.rst"):
    """One page with every ``benchmarks/results/*.txt`` as a literal block under its name.

    Each file states its command, date and machine in its first lines, so
    the page needs no other text; it is rewritten at every build, so it
    always shows the files as they are in the tree.
    """
    files = sorted(root.glob("*.txt"))
    lines = [
        ".. _benchmark-results:",
        "",
        "Benchmark results, file by file",
        "===============================",
        "",
        f"The {len(files)} files of ``benchmarks/results/``, each as its benchmark script",
        "wrote it: the command (run from ``benchmarks/`` or the repository root), the",
        "date, the machine, then the figures. :doc:`/benchmarks` reads the main ones.",
        "",
    ]
    for title, _ in RESULT_GROUPS:
        members = [path for path in files if _group(path.name) == title]
        if not members:
            continue
        lines += [title, "-" * len(title), ""]
        for path in members:
            name = path.name
            lines += [f".. _results-{path.stem}:", "", f"``{name}``", "~" * (len(name) + 4), "",
                      f".. literalinclude:: {os.path.relpath(path, out.parent)}",
                      "   :language: text", ""]
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")


def check_api_reference(app):
    """Warn (an error under -W) when a name of ``sk_seqattn.__all__`` has no API entry."""
    from sphinx.util import logging

    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s{3}(\w+)\s*$", text, flags=re.MULTILINE))
    for name in sorted(set(sk_seqattn.__all__) - listed):
        logging.getLogger(__name__).warning(
            f"sk_seqattn.{name} is public (sk_seqattn.__all__) but not listed in docs/api.rst")




def skip_foreign_members(app, what, name, obj, skip, options):
    """Document the members sk_seqattn defines, not those its classes inherit from elsewhere.

    ``inherited-members`` brings in the methods of sk_seqattn's private mixins
    (``score``, ``attention_weights``, ...); scikit-learn's and skorch's own
    (``get_params``, ``set_output``, ``set_score_request``, ...) are theirs to document.
    """
    if what != "class" or skip:
        return skip
    module = getattr(obj, "__module__", None) or getattr(
        getattr(obj, "fget", None), "__module__", None)
    if module is not None and not module.startswith("sk_seqattn"):
        return True
    return None


write_benchmark_results()


def setup(app):
    app.connect("builder-inited", check_api_reference)
    app.connect("autodoc-skip-member", skip_foreign_members)
