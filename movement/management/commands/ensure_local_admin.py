import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".local-admin-credentials"


class Command(BaseCommand):
    help = (
        "Create a local administrator with a random password if no superuser exists, "
        "print the credentials and keep them in .local-admin-credentials (ignored by git)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--site", default="http://127.0.0.1:8000", help="where the server will answer"
        )

    def handle(self, *args, username: str, site: str, **options) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            hint = f" (xem {CREDENTIALS_FILE.name})" if CREDENTIALS_FILE.exists() else ""
            self.stdout.write(f"Đã có tài khoản quản trị{hint}.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        CREDENTIALS_FILE.write_text(f"username: {username}\npassword: {password}\n")
        CREDENTIALS_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                "Đã tạo tài khoản quản trị cục bộ / local admin account created:\n"
                f"  username: {username}\n  password: {password}\n"
                f"  (saved in {CREDENTIALS_FILE.name}) → {site.rstrip('/')}/admin/"
            )
        )
