# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration: "make docs" renders the design, API and ABI.  The
# kernel-doc comments are pulled in with the kernel's own sphinx extension
# from the unpacked linux-source tree (tools/setup-deps puts it there).
import os
import sys

ksrc = os.environ.get('KSRC', os.path.expanduser('~/.cache/pcslab/linux-source-6.12'))
sys.path.insert(0, os.path.join(ksrc, 'Documentation', 'sphinx'))

project = 'pcslab'
master_doc = 'index'
extensions = ['kerneldoc']
kerneldoc_bin = os.path.join(ksrc, 'scripts', 'kernel-doc')
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
exclude_patterns = ["output", "bench/standing.rst"]
html_theme = 'alabaster'
