"""When core closes a reporting period, freeze the plans' derived statuses for it.

Core knows nothing of plans (dependencies point one way), so plans listens for the period
being saved as closed; the snapshot is taken inside core's close transaction.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from carestat.core.models import ReportingPeriod


@receiver(post_save, sender=ReportingPeriod)
def _period_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created or not instance.is_closed:
        return
    from carestat.plans.services import take_period_snapshot

    take_period_snapshot(instance)
