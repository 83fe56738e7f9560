from django.core.management.base import BaseCommand

from aftersales.sla.models import PublicDay
from aftersales.sla.seeds import seed_public_days


class Command(BaseCommand):
    help = "Add public holidays and 调休 days from the installed chinese-calendar package (keeps existing rows)."

    def handle(self, *args, **options):
        added = seed_public_days(PublicDay)
        self.stdout.write(f"added {added} days; {PublicDay.objects.count()} in the table")
