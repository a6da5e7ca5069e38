"""(placeholder)"""

urlpatterns: list = []
