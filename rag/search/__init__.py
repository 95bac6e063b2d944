"""Comment search: filters, hybrid retrieval (vector, full text, theme and expansion legs fused by
RRF), MMR, the search service and the LangChain retriever."""
