"""vigil subject_access --person PUBLIC_ID --reason "..." [--purpose subject_access|court|other]
                       --format json|pdf --out FILE [--by USERNAME]

Everything Vigil holds about one person (followed through merges), for a subject access request or a court,
written to FILE (docs/exports.md). Audited as a disclosure with the purpose and reason, the person as the
subject, with no user (the command line) or, with --by, as the disclosure of that user (who must hold
people.subject_access_export). A restricted person's export needs --by: the restriction's owner is told who
exported the record and why, as on the page. A refuge address is withheld, as from anyone not allowed to see
refuge addresses. Nothing is written and nothing audited when the reason is missing."""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vigil.files import private_file_write
from vigil.people import subject_access
from vigil.people.models import Person


class Command(BaseCommand):
    help = "Export everything held about one person as JSON or PDF (audited as a disclosure with the reason)."

    def add_arguments(self, parser):
        parser.add_argument("--person", required=True, help="The person's public id")
        parser.add_argument("--reason", required=True, help="Why: the request's reference and who asked")
        parser.add_argument("--purpose", choices=tuple(subject_access.PURPOSES), default="subject_access")
        parser.add_argument("--format", choices=subject_access.FORMATS, required=True)
        parser.add_argument("--out", required=True, help="The file to write")
        parser.add_argument("--by", help="The username of the auditor making the disclosure (needed for a "
                                         "restricted person)")

    def handle(self, *args, person, reason, purpose, format, out, by=None, **options):
        try:
            key = uuid.UUID(person)
        except ValueError:
            raise CommandError(f"{person!r} is not a person's public id") from None
        found = Person.objects.filter(public_id=key).first()
        if found is None:
            raise CommandError("no person has that public id")
        user = None
        if by:
            from vigil.accounts.models import User

            user = User.objects.filter(username=by).first()
            if user is None or not subject_access.may_export(user):
                raise CommandError(f"{by!r} is not a user who may export a person's records")
        if subject_access.current_person(found).restricted and user is None:
            raise CommandError("this record is restricted: give --by USERNAME so its owner is told who exported it")
        try:
            subject_access.subject_access_check(purpose=purpose, reason=reason, format=format)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        data = subject_access.subject_access_gather(person=found, viewer=user)
        if format == "pdf":
            from django.template.loader import render_to_string
            from django.utils import timezone

            from vigil.pdf import PdfUnavailable, render_pdf

            html = render_to_string("people/subject_access_document.html", {
                "data": data, "sections": subject_access.readable_sections(data), "pdf": True,
                "purpose": subject_access.PURPOSES[purpose], "generated_at": timezone.now(), "command_line": user is None, "user": user})
            try:
                content: bytes = render_pdf(html)
            except PdfUnavailable as error:
                raise CommandError(str(error)) from None
            private_file_write(out, content)
        else:
            private_file_write(out, subject_access.json_text(data))
        subject_access.subject_access_disclose(person=found, by=user, purpose=purpose, reason=reason, format=format,
                                               data=data, via="vigil subject_access")
        self.stdout.write(f"Written to {out} and recorded in the audit log as a disclosure.")
