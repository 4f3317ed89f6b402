import pytest
from django.core.management import CommandError, call_command

from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_log_in_demo_mode_only(settings):
    audit_record(action="sign_in_failed")
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1

    settings.DEMO_MODE = True
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert audit_record(action="sign_in_failed").sequence == 1
