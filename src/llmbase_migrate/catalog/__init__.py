"""LLMBase's model catalog: where it comes from (live, cache, snapshot, file) and
the compact, picklable index rules read (``index.CatalogIndex``).

Only ``index`` is imported by the engine and the rules; the client (httpx) and
the pydantic models load when a catalog is actually fetched or parsed.
"""
