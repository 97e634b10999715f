HANDLERS: dict[str, object] = {}
