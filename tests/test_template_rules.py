"""Template rules the HTML checker (vnu.jar, accessibility layer) would only catch for the
page states it visits: `{{ value|date:"c" }}` prints microseconds, which a `<time datetime>`
must not carry (at most three fraction digits). Use `date:'Y-m-d\\TH:i:sO'`."""

from __future__ import annotations

import re

from conftest import ROOT

ISO_WITH_MICROSECONDS = re.compile(r"""\|date:\s*(['"])c\1""")


def test_no_template_formats_a_time_with_date_c():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.rglob("*.html"))
        if ".venv" not in path.parts and "var" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ISO_WITH_MICROSECONDS.search(line)
    ]
    assert offenders == [], "use date:'Y-m-d\\TH:i:sO' (no microseconds): " + ", ".join(offenders)
