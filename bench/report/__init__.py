"""The benchmark report: `write_report` writes docs/benchmarks.md and docs/bench-p99.svg from a run's results.

One module per part of the report: `format` (numbers, tables, the machine), `targets` (the table of goals),
`chat` and `sections` (one writer per scenario), `profiles` (py-spy), `document` (the page in reading order).
"""

from bench.report.document import write_report
from bench.report.format import machine

__all__ = ["machine", "write_report"]
