"""Questions the model puts to the user (`ask_followup_question`): one channel, an asker per front end."""

from agent.questions.channel import Answer, Asker, NobodyToAsk, QuestionChannel, answer_for_model

__all__ = ["Answer", "Asker", "NobodyToAsk", "QuestionChannel", "answer_for_model"]
