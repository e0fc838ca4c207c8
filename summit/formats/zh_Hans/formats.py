DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 l H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "n月j日 l"
SHORT_DATETIME_FORMAT = "n月j日 l H:i"
# "12月3日 星期四", "12月3日 星期四 16:44": numeric month first, the weekday after the date.
DAY_FORMAT = "n月j日 l"
DAY_TIME_FORMAT = "n月j日 l H:i"
