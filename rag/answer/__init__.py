"""Answering questions: entities, plans and SQL analytics for numbers, qualitative evidence from
comments, synthesis with its guard, LLM providers, conversations and the dashboards' read models."""
