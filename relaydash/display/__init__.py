"""How relay's data is shown to people, one rule each, for every page.

relay's text is untrusted and sometimes odd: text that carries bidirectional controls,
codes (METER_READING, OWNER), phone numbers as people type them, bare dates. Pages
(orders, directory, accounts) use these helpers, through `{% load display_tags %}` or
directly; this package imports only `relay`.
"""
