"""Printable documents: certificates and learners' transcripts as PDF (api.documents.pdf)."""
