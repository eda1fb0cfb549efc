"""Helpers for tests that run against the real Asterisk sandbox and sipp phones."""
