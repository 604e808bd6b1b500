"""Specimen documents: the engine's own test pages, in Arabic, Chinese and English.

Used by the tests, ``bench/pdf_engine.py`` and the screenshots in
``docs/screenshots/reports/``; all data is made up here, nothing reads a store.
"""

from __future__ import annotations

import datetime as dt

from fieldkit.reports import model as m

#: Arabic mixed with a Latin name, numbers, punctuation and harakat; wraps over several lines
ARABIC_PARAGRAPH = (
    "شارك السيد John Smith في الدورة التدريبية رقم 12 حول رصد حقوق الإنسان، التي عُقدت في عمّان "
    "من 3 إلى 5 آذار/مارس 2025، وحضرها 18 مشاركاً من 7 منظمات غير حكومية. وتناولت الجلسات رصد "
    "أماكن الاحتجاز ومراقبة المحاكمات وتوثيق الانتهاكات."
)
CHINESE_PARAGRAPH = (
    "2025年3月，人权事务高级专员办事处（OHCHR）在内罗毕举办了为期三天的培训，共有120名来自各地的监察员参加。"
    "培训内容包括拘留场所的监察、审判监督以及对侵权行为的记录与核实；学员们还就普遍定期审议"
    "（Universal Periodic Review）进行了讨论。"
)
ENGLISH_PARAGRAPH = (
    "Monitors visited 42 places of detention between 1 January and 31 March 2026, "
    "interviewed 318 detainees in private and followed up 27 allegations of ill-treatment "
    "with the authorities; the office's efficient field team filed every report on time."
)

_AR_AREAS = ("عمّان", "إربد", "الزرقاء", "العقبة", "المفرق", "الكرك")
_ZH_AREAS = ("内罗毕", "蒙巴萨", "基苏木", "纳库鲁", "埃尔多雷特", "加里萨")
_EN_AREAS = ("Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Garissa")
_AR_TYPES = ("الاحتجاز التعسفي", "التعذيب وسوء المعاملة", "حرية التعبير", "المحاكمة العادلة")
_ZH_TYPES = ("任意拘留", "酷刑和虐待", "言论自由", "公正审判")
_EN_TYPES = ("Arbitrary detention", "Torture and ill-treatment", "Freedom of expression", "Fair trial")
GENERATED = dt.date(2026, 4, 2)


def _months(count: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(2025 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(count))


def _visit_rows(
    count: int, areas: tuple[str, ...], kinds: tuple[str, ...]
) -> tuple[tuple[m.Value, ...], ...]:
    rows = []
    for i in range(count):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=(i * 7) % 90)
        rows.append(
            (f"MV-{1000 + i}", day, areas[i % len(areas)], kinds[i % len(kinds)], (i * 37) % 23, i % 4)
        )
    return tuple(rows)


def specimen(lang: str, rows: int = 60, contents: bool = False) -> m.Document:
    """A report in ``lang`` (``ar``, ``zh`` or anything else for English) with a wrapping
    paragraph, key figures, two charts and a table of ``rows`` visits."""
    if lang == "ar":
        title, office, paragraph = "ملخص الوضع: الربع الأول 2026", "مكتب عمّان الميداني", ARABIC_PARAGRAPH
        areas, kinds = _AR_AREAS, _AR_TYPES
        cols = ("الزيارة", "التاريخ", "المنطقة", "نوع الانتهاك", "الادعاءات", "المتابعات")
        heads = ("الملخص", "الزيارات", "حسب نوع الانتهاك", "حسب الشهر")
        furniture = m.Furniture(
            page="الصفحة {page} من {pages}", generated="أُعدّ في {date} بواسطة {user}", contents="المحتويات"
        )
        banner, user, series = "سري", "ليلى حداد", ("هذه الفترة", "الفترة السابقة")
        figures = ("زيارات", "ادعاءات", "متابعات متأخرة")
    elif lang == "zh":
        title, office, paragraph = "情况摘要：2026年第一季度", "内罗毕外地办事处", CHINESE_PARAGRAPH
        areas, kinds = _ZH_AREAS, _ZH_TYPES
        cols = ("访问", "日期", "地区", "侵权类型", "指控", "后续行动")
        heads = ("摘要", "访问", "按侵权类型", "按月份")
        furniture = m.Furniture(
            page="第{page}页，共{pages}页", generated="{user}于{date}生成", contents="目录"
        )
        banner, user, series = "机密", "王芳", ("本期", "上期")
        figures = ("访问", "指控", "逾期后续行动")
    else:
        title, office, paragraph = (
            "Situation summary: first quarter of 2026",
            "Kenya field office",
            ENGLISH_PARAGRAPH,
        )
        areas, kinds = _EN_AREAS, _EN_TYPES
        cols = ("Visit", "Date", "Area", "Violation type", "Allegations", "Follow-ups")
        heads = ("Summary", "Visits", "By violation type", "By month")
        furniture = m.Furniture()
        banner, user, series = "CONFIDENTIAL", "Grace Wanjiru", ("This period", "Previous period")
        figures = ("Visits", "Allegations", "Overdue follow-ups")
    table = m.Table(
        columns=(
            m.Column(cols[0], width=0.8),
            m.Column(cols[1], kind="date", width=1.0),
            m.Column(cols[2], width=1.0),
            m.Column(cols[3], width=1.6),
            m.Column(cols[4], kind="number", width=0.7),
            m.Column(cols[5], kind="number", width=0.7),
        ),
        rows=_visit_rows(rows, areas, kinds),
        title=heads[1],
    )
    months = _months(12)
    return m.Document(
        title=title,
        lang=lang,
        office=office,
        generated_on=GENERATED,
        generated_by=user,
        confidentiality=banner,
        subtitle=office,
        table_of_contents=contents,
        furniture=furniture,
        sections=(
            m.Section(
                heads[0],
                blocks=(
                    m.Paragraph(paragraph),
                    m.KeyFigures(
                        (
                            m.KeyFigure(figures[0], 1284),
                            m.KeyFigure(figures[1], 3907),
                            m.KeyFigure(figures[2], 56),
                        )
                    ),
                ),
            ),
            m.Section(
                heads[2],
                blocks=(
                    m.Chart(
                        "bars",
                        labels=kinds,
                        series=(
                            m.Series(series[0], (120.0, 64.0, 31.0, 12.0)),
                            m.Series(series[1], (98.0, 71.0, 20.0, 15.0)),
                        ),
                    ),
                ),
            ),
            m.Section(
                heads[3],
                blocks=(
                    m.Chart(
                        "timeline",
                        labels=months,
                        series=(m.Series(series[0], tuple(float(20 + (i * 13) % 40) for i in range(12))),),
                    ),
                ),
            ),
            m.Section(heads[1], blocks=(m.Paragraph(paragraph), table), new_page=True),
        ),
    )
