"""Importing a list of people from a spreadsheet file or pasted text: reading it, recognising its
columns, previewing every row with its problems, and handing back the rows with problems.

Each kind of list (contacts, an event's participants) brings its own columns and row checks."""
