"""Kyrgyz press style for dates: `19-май, 2021-ж.` (Django's own is `19 Май 2021 ж.`).

Django's Kyrgyz catalog capitalises month names; the `press_date` filter in
articles.templating lower-cases them the way the Kyrgyz press writes them.
"""

DATE_FORMAT = "j-F, Y-ж."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j-F, Y-ж., H:i"
YEAR_MONTH_FORMAT = "F, Y-ж."
MONTH_DAY_FORMAT = "j-F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
