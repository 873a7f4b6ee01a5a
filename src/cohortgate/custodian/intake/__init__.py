"""Data in (issue 14): what the participating hospitals send, read and checked at the door."""
