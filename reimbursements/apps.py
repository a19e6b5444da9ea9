from django.apps import AppConfig


class ReimbursementsConfig(AppConfig):
    name = "reimbursements"
    verbose_name = "Reimbursements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for their side effects: system checks and signal receivers register.
        from reimbursements import checks, signals  # noqa: F401
        from reimbursements.linked_insert import cache_long_statements

        cache_long_statements()
