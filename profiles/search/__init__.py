"""Search: researchers, works, topics and institutions (docs/search.md).

`rank` holds the rules (pure, no Django): both databases find candidates their own way and
rank them with the same functions, so the quick start (SQLite) and Postgres agree on the order.
"""
