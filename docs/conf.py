"""Sphinx configuration of the sklogreg documentation.

Build (warnings are errors): ``python -m sphinx -W --keep-going -b html docs
docs/_build/html``, after ``pip install -e ".[docs]"``. The gallery's scripts in
``examples/`` run during the build; their pages go to ``docs/auto_examples/``.
"""

import sys
from pathlib import Path

# Document this checkout, whatever else is installed.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sklogreg  # noqa: E402

project = "sklogreg"
author = "the sklogreg developers"
copyright = "the sklogreg developers"
release = version = sklogreg.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

autosummary_generate = True
# numpydoc lists a class's methods itself; autosummary would make a stub for each.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
default_role = "py:obj"

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "matplotlib_animations": False,
    # "Examples using ..." under each API page.
    "doc_module": ("sklogreg",),
    "backreferences_dir": "generated",
    "reference_url": {"sklogreg": None},
}

html_theme = "pydata_sphinx_theme"
html_title = "sklogreg"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []

# Methods inherited from scikit-learn keep their docstrings, whose cross-references
# name labels and glossary terms of scikit-learn's own site: link them there.
SKLEARN_DOCS = "https://scikit-learn.org/stable/"
SKLEARN_LABELS = {
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "metadata_routing": "metadata_routing.html",
}


def link_sklearn_references(app, env, node, contnode):
    """Resolve a reference our pages lack that scikit-learn's docstrings make."""
    from docutils import nodes

    target = node.get("reftarget", "")
    if node.get("refdomain") != "std":
        return None
    if node.get("reftype") == "ref" and target in SKLEARN_LABELS:
        uri = SKLEARN_DOCS + SKLEARN_LABELS[target]
    elif node.get("reftype") == "term":
        uri = SKLEARN_DOCS + "glossary.html#term-" + target.replace(" ", "-")
    else:
        return None
    return nodes.reference("", "", contnode, internal=False, refuri=uri)


def setup(app):
    """Sphinx extension hook of this configuration."""
    app.connect("missing-reference", link_sklearn_references)
