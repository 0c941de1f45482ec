"""Question answering over your documents, with answers that cite exact quotes.

The public surface for other apps:

    from rag import Settings, get_retriever
    retriever = get_retriever(Settings.load(), k=5)
    for node in retriever.retrieve("What did France reject?"):
        print(node.score, node.metadata["source"], node.text)

    from rag import answer_question
    answer = answer_question("What did France reject?")
    print(answer.answer)  # sentences with [n] markers; answer.citations holds the quotes
"""

from .answer import answer_question, stream_answer
from .config import Settings
from .errors import RagError
from .retrieve import get_retriever

__all__ = ["Settings", "RagError", "get_retriever", "answer_question", "stream_answer"]
