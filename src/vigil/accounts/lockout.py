"""How django-axes describes a sign-in attempt in its log lines: never by username or address."""


def client_description(username, ip_address, user_agent, path_info, request) -> str:
    """Axes' AXES_CLIENT_STR_CALLABLE: the page only, so that no log line names who tried to sign in."""
    if isinstance(path_info, list | tuple):
        path_info = path_info[0] if path_info else ""
    return f"{{path_info: {path_info!r}}}"
