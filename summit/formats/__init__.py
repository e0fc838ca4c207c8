"""Date formats per language (Django's FORMAT_MODULE_PATH), so a date reads naturally in each.

Templates and code name these formats ("DATE_FORMAT", "SHORT_DATETIME_FORMAT"...) instead of
spelling a pattern, which is how a Chinese reader gets "12月1日 星期二" rather than "星期二 1 十二月":
Chinese dates need numeric months and the weekday after the date.

- DATE_FORMAT: a date ("1 December 2026", "2026年12月1日")
- DATETIME_FORMAT: a date with weekday and time (session pages, mails, meetings)
- SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT: weekday, day and month, without the year (schedule
  headings, lists, agendas)
- MONTH_DAY_FORMAT: day and month only
- DAY_FORMAT / DAY_TIME_FORMAT: the compact day (and time) of lists, notifications, meetings and
  the juror's list: "Thu 3 Dec, 16:44", "jeu. 3 déc. 16:44", "12月3日 星期四 16:44". These two are
  the platform's own names, so every language here must define them (Django would otherwise use
  the name itself as the pattern); a test checks that it does.

Never write a pattern such as "D j M" in a template or in code: it reads "星期四 3 十二月" in Chinese.
"""
