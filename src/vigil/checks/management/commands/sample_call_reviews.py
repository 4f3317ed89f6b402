from django.core.management.base import BaseCommand, CommandError

from vigil.checks import call_review, reviews


class Command(BaseCommand):
    help = ("Pick the month's call-review sample: at least two domestic abuse calls per call taker (all of them "
            "when fewer), adding only what is missing. Prints each call taker's counts.")

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (Europe/London calendar month); default: this month")
        parser.add_argument("--seed", help="Seed for the random choice, to reproduce an earlier sample")

    def handle(self, *args, **options):
        if options["month"]:
            try:
                month = call_review.parse_month(options["month"])
            except ValueError as error:
                raise CommandError(str(error)) from None
        else:
            month = reviews.current_month()
        created = reviews.call_reviews_sample(month=month, seed=options["seed"])
        added: dict[int, int] = {}
        for review in created:
            added[review.call_taker_id] = added.get(review.call_taker_id, 0) + 1
        rows = reviews.call_review_coverage(month=month)
        self.stdout.write(f"Call-review sample for {month:%B %Y}: {len(created)} call(s) added")
        if not rows:
            self.stdout.write("  No domestic abuse calls taken by call takers this month.")
            return
        width = max(len(row.call_taker.username) for row in rows)
        for row in rows:
            status = "meets minimum" if row.meets_minimum else "below minimum"
            self.stdout.write(f"  {row.call_taker.username:<{width}}  {row.calls:>3} calls  {row.sampled:>2} sampled "
                              f"({added.get(row.call_taker.pk, 0)} new)  {row.reviewed:>2} reviewed  {status}")
        totals = reviews.call_review_coverage_totals(rows)
        self.stdout.write(f"  Total: {totals.calls} calls, {totals.sampled} sampled, {totals.reviewed} reviewed; "
                          f"{totals.below_minimum} of {totals.call_takers} call taker(s) below minimum")
