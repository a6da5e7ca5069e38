"""The public room's admin pages: none of its own (it only reads the other rooms' records)."""
