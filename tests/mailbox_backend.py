"""An email backend for tests that run a real worker: each message becomes one file in TEST_MAIL_DIR.

While the file named by TEST_MAIL_HANG_FILE exists, sending blocks after
writing `hanging.pid`, so a test can kill the worker in the middle of a send.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        outbox = Path(os.environ["TEST_MAIL_DIR"])
        hang = os.environ.get("TEST_MAIL_HANG_FILE")
        for message in email_messages:
            if hang and os.path.exists(hang):
                (outbox / "hanging.pid").write_text(str(os.getpid()))
                while os.path.exists(hang):
                    time.sleep(0.05)
            (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)
