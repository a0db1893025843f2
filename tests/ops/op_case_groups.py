"""Shared by the op-case generators (tests/ops/<format>/make_*.py): loads a table's cases_<group>.py
modules in name order and tags each case they register with its group."""
import glob
import importlib
import os


def load_groups(table_dir, cases):
    """Imports every cases_*.py in table_dir (already on sys.path); `cases` is the list they append to."""
    for path in sorted(glob.glob(os.path.join(table_dir, "cases_*.py"))):
        group = os.path.basename(path)[len("cases_"):-3]
        before = len(cases)
        importlib.import_module("cases_" + group)
        for c in cases[before:]:
            c.group = group
