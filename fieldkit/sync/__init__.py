"""Sync packets: signed, encrypted, incremental files that travel on a USB stick or by email.

``docs/sync-format.md`` describes the format for people who inspect packets
without FieldKit.
"""
