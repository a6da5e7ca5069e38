"""What happens to a household in one app that another app rewards or records, without the two
importing each other (the deliberation hall and the community app both stand on ``people``).

``meeting_attended``: someone of a household signed in at a village's (or community's)
meeting. Sent after the sign-in is committed, once per sign-in, with

- ``household_id``: the household they belong to (never sent without one);
- ``region_id``: the meeting's village or community;
- ``meeting``: the meeting's number (unique), ``title`` and ``on`` (its date);
- ``when``: the moment of the sign-in.

A household with several members signed in, or a sign-in sent twice, is sent more than once:
receivers act once per household and meeting.

``meeting_attendance_withdrawn``: the household's last sign-in at the meeting was undone
(same arguments, plus ``reason``), sent after commit; receivers undo what they did for it.
"""

from django.dispatch import Signal

meeting_attended = Signal()
meeting_attendance_withdrawn = Signal()
