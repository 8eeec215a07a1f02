"""Credentials and the tables that check them: proof of who is acting, and how often they try.

Curators' passwords (``passwords``), contributors' consent codes (``consent_codes``), the
session table port and its adapters (``sessions*``) and the rate counters that bound guessing
(``rate_counters*``). The use cases that issue and end them live in ``archive.services``
(``access``, ``self_service``).
"""
