DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "l j F"
SHORT_DATETIME_FORMAT = "l j F, H:i"
# "jeu. 3 déc.", "jeu. 3 déc. 16:44": French abbreviations end with a full stop.
DAY_FORMAT = "D. j N"
DAY_TIME_FORMAT = "D. j N H:i"
