"""The command line: `buurtbot run`, the demo, check-config and the import commands."""
