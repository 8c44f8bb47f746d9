"""The one error type users see: what went wrong and what to do about it."""

EXIT_OK = 0
EXIT_REVIEW = 1
EXIT_ERROR = 2


class MigrationError(Exception):
    """A problem the user can fix. The CLI prints it (without a traceback) and exits with EXIT_ERROR."""

    def __init__(self, problem: str, fix: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.problem}\n  fix: {self.fix}" if self.fix else self.problem
