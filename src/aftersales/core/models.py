from django.db import models

from aftersales.core import clock


class BaseModel(models.Model):
    """Creation and update stamps every table carries."""

    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
