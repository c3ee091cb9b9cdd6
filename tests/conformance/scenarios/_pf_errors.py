"""Exception classes defined outside the workflow's module (imported by s45/s46)."""


class Declined(ValueError):
    pass


class CardExpired(Declined):
    pass
