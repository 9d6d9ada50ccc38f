"""Public pages of petitions."""

app_name = "petitions"
urlpatterns: list = []
