"""Plan the demo field people's today and tomorrow (`make run`'s demo data)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from relaydash.dispatch.demo import demo_plan


class Command(BaseCommand):
    help = "Plan today's and tomorrow's demo orders for the demo field people (only when nothing is planned)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--order", type=int, action="append", default=[], help="an order id to plan")

    def handle(self, *args: Any, **options: Any) -> None:
        planned = demo_plan(order_ids=options["order"], today=timezone.localdate())
        if options["verbosity"] > 0 and planned:
            self.stdout.write(self.style.SUCCESS(f"Planned {planned} demo orders for the demo field people."))
