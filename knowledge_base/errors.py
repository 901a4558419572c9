class KnowledgeBaseError(Exception):
    """An expected failure of the knowledge base; the message is French and shown to the user."""
