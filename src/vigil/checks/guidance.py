"""The guidance text format, kept simple enough for an administrator to edit in a text box: one
paragraph per line; lines starting with "- " form a bulleted list; an indented line continues the
line before it. Plain rules, no Django."""


def guidance_blocks(body: str) -> list[tuple[str, str | list[str]]]:
    """[("p", text) or ("ul", [items])] in the order written."""
    lines: list[str] = []
    for raw in body.splitlines():
        if raw.startswith((" ", "\t")) and raw.strip() and lines:
            lines[-1] = f"{lines[-1]} {raw.strip()}"
        elif raw.strip():
            lines.append(raw.strip())
    blocks: list[tuple[str, str | list[str]]] = []
    for line in lines:
        if line.startswith("- "):
            if blocks and blocks[-1][0] == "ul":
                blocks[-1][1].append(line[2:].strip())
            else:
                blocks.append(("ul", [line[2:].strip()]))
        else:
            blocks.append(("p", line))
    return blocks
