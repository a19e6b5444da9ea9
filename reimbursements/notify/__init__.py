"""Telling people what happened: in-app inbox, e-mail and WeChat subscribe messages.

``services`` decides who hears of what (called by the claim workflow and the document
status writer: one place, no signals), ``tasks`` deliver after commit with Celery's
retry/backoff, ``messages`` renders the text in the reader's language.
"""
