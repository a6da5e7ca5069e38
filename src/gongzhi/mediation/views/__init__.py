"""The mediation pages: register a dispute, the dispute page and its actions, the
mediator's workbench, the board with its Excel download, and the figures.

Every list and page starts from ``Dispute.objects.visible_to(viewer)``; the views parse
input (``mediation.forms``), call one service and render. State changes go through
``services.do_transition`` only.
"""
