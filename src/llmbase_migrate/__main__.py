"""``python -m llmbase_migrate``."""

from __future__ import annotations

from llmbase_migrate.cli import main

if __name__ == "__main__":
    main()
