"""How dates read in each language (Django's FORMAT_MODULE_PATH).

The pages name a format (``|date:"SHORT_DATE_FORMAT"``), never a pattern, so
each language writes a date its own way: "4 Dec 2026" and "4. Dez. 2026".
Only the names the pages use are set; the rest are Django's own for the locale.
A third language adds its own module here beside its .po file, or keeps Django's.
"""
