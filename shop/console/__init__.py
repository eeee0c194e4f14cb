"""The operations console: what the shop's event stores, outbox and read models hold now.

``queries`` reads the facts, for any module and without knowing its aggregates;
``web`` renders them at ``/console`` for admins, refreshing itself with htmx;
``cli`` prints them at the terminal (``shop events``, ``shop timeline``). Both
views call the same queries, so the browser and the terminal never disagree.
"""
