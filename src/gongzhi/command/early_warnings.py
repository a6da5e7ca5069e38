"""(placeholder: being written)"""


def tick(*, now=None) -> dict:
    return {}
