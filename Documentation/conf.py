# SPDX-License-Identifier: GPL-2.0
# Minimal Sphinx configuration: "make docs" renders the design and ABI.
project = 'pcslab'
master_doc = 'index'
html_theme = 'alabaster'
