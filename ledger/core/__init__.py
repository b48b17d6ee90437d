"""The pure core of the ledger: bytes, hashes and signatures, nothing else.

Nothing in this package imports a web framework, a database driver or msgspec,
so an outsider can read it as the executable form of docs/format.md.
"""
