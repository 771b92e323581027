"""The official Excel layout of the form: writing workbooks and reading filled ones back.

layout.py is the cell map both sides follow; writer.py and reader.py never name a cell or a
label themselves.
"""
