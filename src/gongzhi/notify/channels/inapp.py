from .base import Channel


class InAppChannel(Channel):
    """The inbox row itself; notify() writes it in the caller's transaction, never queued."""

    code = "in_app"
    queued = False

    def target_for(self, user) -> str:
        return str(user.pk)
