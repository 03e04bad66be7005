"""Conversations: the assistant (dispatch), commands and their typed arguments, handlers, follow-up intents."""
