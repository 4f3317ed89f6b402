"""The insight pages: thin views that call one selector or service and render."""
