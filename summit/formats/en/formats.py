DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "l j F"
SHORT_DATETIME_FORMAT = "l j F, H:i"
# Compact day for lists and notices (named by the platform, not Django): "Thu 3 Dec", "Thu 3 Dec, 16:44".
DAY_FORMAT = "D j M"
DAY_TIME_FORMAT = "D j M, H:i"
