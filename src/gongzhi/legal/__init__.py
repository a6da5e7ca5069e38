"""Public legal services (公共法律服务): legal aid, legal advice, notary guidance, 普法 and the\nservice points, in one app (rooms: aid, advice, notary, outreach, points, figures)."""
