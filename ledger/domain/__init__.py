"""The pilot's rules as pure code: registry, and later certificates, credits and operations.

Modules here import only ledger.core and the standard library.
"""
