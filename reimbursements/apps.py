from django.apps import AppConfig


class ReimbursementsConfig(AppConfig):
    name = "reimbursements"
    verbose_name = "Reimbursements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reimbursements import checks  # noqa: F401  (registers system checks)
        from reimbursements.linked_insert import cache_long_statements

        cache_long_statements()
