"""The console mail backend that `make run` uses, made for reading.

Django's console backend prints the MIME message as it would be sent: a French or Chinese body
comes out base64 or quoted-printable, and a long sign-in link is folded over several lines that
no terminal can open. This one prints the headers and the plain-text body as written, so every
link is one whole line a terminal makes clickable.
"""

from django.core.mail.backends import console


class ReadableConsoleBackend(console.EmailBackend):
    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip("\n"),
        ]
        attached = [attachment[0] for attachment in message.attachments if isinstance(attachment, tuple)]
        if attached:
            lines += ["", "Attached: " + ", ".join(attached)]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
