"""Conversation logic for the voice and SMS channels, free of HTTP and provider details."""
