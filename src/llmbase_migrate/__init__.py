"""llmbase-migrate: find and fix what stops OpenAI-SDK code from running on LLMBase."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
