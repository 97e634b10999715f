REGISTRATION_ROUTES: list[object] = []
