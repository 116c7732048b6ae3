"""Running the sync worker in-process, as tests need it after changing relay directly."""

from django.core.management import CommandError, call_command

from relaydash.orderindex.sync import SyncStatus, index_sync_status


def sync() -> SyncStatus:
    """One sync now (`manage.py sync_orders --once`), as the worker's next round would."""
    call_command("sync_orders", once=True, verbosity=0)
    return index_sync_status()


def failed_sync() -> SyncStatus:
    """One sync that must fail because relay does not answer; returns the recorded state."""
    try:
        call_command("sync_orders", once=True, verbosity=0)
    except CommandError:
        return index_sync_status()
    raise AssertionError("the sync succeeded although relay was meant to be down")
