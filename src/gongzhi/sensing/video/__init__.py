"""Video analysis: find people and motion in a camera's frames, follow them, and see
which of the camera's rules they break.

* ``detect``: the detectors behind one interface (``Detector.detect(frame)``): people
  (HOG, completed by motion), motion (background subtraction), objects left or removed
  (a reference picture compared while the scene is quiet), and a tracker so that one
  person is one track.
* ``quality``: the people detector scored on frames labelled by eye.
* ``rules``: a rule's zone and timers, turning tracks into hits (once per visit).
* ``streams``: a file, an MJPEG or RTSP stream, read at the rate the camera can be
  analysed, reconnected with backoff.
* ``draw``: snapshots (detections and zone drawn, faces blurred) and short clips.
* ``watch``: the watcher loop (``gongzhi sensing watch``), which records events through
  ``gongzhi.sensing.events``.

Uses OpenCV only (no model weights to download): it runs on the plain CPU of a county
server.
"""
