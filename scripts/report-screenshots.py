"""First pages of each kind of report in English, Arabic and Chinese as PNG, for
docs/screenshots/reports/{kind}-{lang}.png.

    PYTHONPATH=. .venv/bin/python scripts/report-screenshots.py

Builds the small demo store in a temporary folder, prints each report from it for April to
September 2026 (the visit report: the first confidential visit, so its watermark shows) and
turns the first page into a picture with poppler's pdftoppm (``apt-get install poppler-utils``).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots" / "reports"
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from fieldkit.access import unchecked  # noqa: E402
from fieldkit.demo import generate  # noqa: E402
from fieldkit.opening import open_context  # noqa: E402
from fieldkit.reports.builders import KINDS, ReportRequest, make_report  # noqa: E402
from fieldkit.services.office import init_office  # noqa: E402
from fieldkit.services.report_filter import ReportFilter  # noqa: E402
from fieldkit.store.records import MonitoringVisit  # noqa: E402

PERIOD = ReportFilter(date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 9, 30))
NOW = dt.datetime(2026, 10, 31, 12, 0)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FIELDKIT_HOME"] = tmp
        ctx = open_context(Path(tmp) / "demo.db", create=True)
        try:
            init_office(ctx, "KE-NBO", "Kenya country office", "country-office")
            generate(ctx, "small", seed=1)
            ctx.now = lambda: NOW
            with unchecked(), ctx.store.read() as session:
                query = select(MonitoringVisit.id).where(MonitoringVisit.confidentiality == "confidential")
                visit_id = str(session.execute(query.order_by(MonitoringVisit.id).limit(1)).scalar_one())
            for kind in KINDS:
                for lang in ("en", "ar", "zh"):
                    pdf = Path(tmp) / f"{kind}-{lang}.pdf"
                    request = ReportRequest(kind, lang, PERIOD, visit_id=visit_id, country="KE")
                    make_report(ctx, request, pdf)
                    target = OUT / f"{kind}-{lang}"
                    subprocess.run(
                        [
                            "pdftoppm",
                            "-r",
                            "60",
                            "-png",
                            "-singlefile",
                            "-f",
                            "1",
                            "-l",
                            "1",
                            str(pdf),
                            str(target),
                        ],
                        check=True,
                    )
                    print(f"{target}.png")
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
