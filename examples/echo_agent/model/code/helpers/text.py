def words(text: str) -> list[str]:
    return text.split()


def count_words(text: str) -> str:
    """The agent's tool: how many words the text has."""
    return f"{len(words(text))} words"
