"""The sample videos the demo's cameras play (``../shared/data/video``), and the credit their
licence asks for wherever they are shown (CC BY 4.0)."""

from pathlib import PurePath

CREDIT = "Intel IoT Developer Kit sample videos (intel-iot-devkit/sample-videos), CC BY 4.0"
VIDEOS = frozenset(
    {
        "one-by-one-person-detection.mp4",
        "car-detection.mp4",
        "bottle-detection.mp4",
        "people-detection.gif",
        "worker-zone-detection.gif",
    }
)


def credit(camera) -> str:
    """The credit line for a camera playing a sample video, else empty. Only the file's name
    is read, so the stream address itself is never shown."""
    name = PurePath((camera.stream_url or "").split("?")[0]).name
    return CREDIT if name in VIDEOS else ""
