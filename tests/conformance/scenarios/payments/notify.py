from portaflow import step


@step
def email(to: str, text: str) -> str:
    return f"mail to {to}: {text}"


@step
def sms(to: str, text: str) -> str:
    return f"sms to {to}: {text[:10]}"


CHANNELS = {"email": email, "sms": sms}
