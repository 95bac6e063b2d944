"""What is derived from a comment once, when it is stored: its theme and tone tags."""
