"""The shared web layout, static files and page helpers; domains keep their own templates."""
