"""智慧社区 and 智慧乡村: repairs and the property company, notices, volunteers, QR patrols, points (积分制) and 移风易俗."""
