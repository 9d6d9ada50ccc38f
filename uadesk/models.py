"""What the desk keeps for itself rather than for one domain: the shared counts of its rate limits."""

from django.db import models


class RateCount(models.Model):
    """Events of one key (a hashed address or network, and its window) counted by all web processes."""

    key = models.CharField(max_length=80, primary_key=True)
    count = models.PositiveIntegerField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
