"""Send the daily notification digests: ``python manage.py send_digests``.

Run it once a day from cron or a systemd timer (deploy/agora-digests.*), or
once with ``--schedule`` to start the task queue's self-scheduling daily run
(see docs/notifications.md). Either way a rerun never sends twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.tasks import next_digest_time, run_digests, schedule_next_digest


class Command(BaseCommand):
    help = "Send each person on the daily digest one e-mail with what is new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=(
                "Only queue the daily run in the task queue (db_worker runs it "
                "at NOTIFICATION_DIGEST_HOUR and queues the next one)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if schedule_next_digest():
                self.stdout.write(f"Next digest run queued for {next_digest_time()}.")
            else:
                self.stdout.write(
                    "A digest run is already queued (or the task backend cannot "
                    "run tasks later); nothing to do."
                )
            return
        sent = run_digests()
        self.stdout.write(f"{sent} digest e-mail(s) sent.")
