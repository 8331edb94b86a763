from django.db import models


class Stamp(models.Model):
    """A token that changes whenever a named group of rarely changed settings changes (``core.stamps``)."""

    name = models.CharField(max_length=50, primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
