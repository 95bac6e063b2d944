"""Entity resolution: which course, who, when and which metric a question names."""
