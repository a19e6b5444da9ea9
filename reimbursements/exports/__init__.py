"""Export of approved expenses to accounting: items, pages, file layouts, webhook.

Items are frozen at finance approval (``items``); readers page through them with an
opaque cursor (``selectors``, ``cursor``); ``writers`` and ``voucher`` render a page;
``acknowledge`` marks items exported; ``webhook`` tells an external system at approval.
"""
