"""Context attached to a message: @-mentions (files, folders, git changes, the editor's problems,
selection and terminal) resolved once for every front end, and images for models that see."""

from agent.attachments.types import Attachment, EditorContext, MentionError

__all__ = ["Attachment", "EditorContext", "MentionError"]
