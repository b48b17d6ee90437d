"""The audit: replay a log from a database or a public API and check every claim."""
