"""Who is calling and what they may read: API keys, OIDC tokens, roles and the read rule."""
