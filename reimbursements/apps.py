from django.apps import AppConfig

from invoice_assistant import health


class ReimbursementsConfig(AppConfig):
    name = "reimbursements"
    verbose_name = "Reimbursements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the models are: system checks and signal receivers register,
        # and the task modules, so tasks sent by name (reimbursements.enqueue) are known.
        from reimbursements import checks, scanning, signals, tasks, worker_signals  # noqa: F401

        worker_signals.connect()
        health.register_check("clamd", scanning.readiness)
