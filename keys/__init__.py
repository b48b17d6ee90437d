"""Signing key files: created with mode 0600 in a 0700 folder, never committed."""
