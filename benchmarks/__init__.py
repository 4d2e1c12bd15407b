"""Benchmarks: synthetic archives of 整体 forms, timings of load / audit / export, and recall.

``python -m benchmarks.run`` measures; ``python -m benchmarks.generate`` only writes forms.
Results and how to read them are in ``benchmarks/README.md``.
"""
