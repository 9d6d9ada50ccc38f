"""Public pages of supporters."""

app_name = "supporters"
urlpatterns: list = []
