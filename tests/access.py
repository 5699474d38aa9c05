"""The access matrices of tests/profiles/test_access.py and tests/social/test_access.py: a table
of URLs with the answer each role gets to a GET and to a POST, walked the same way in both."""

from dataclasses import dataclass

LOGIN = "login"  # a redirect to the login page that comes back to the URL


@dataclass(frozen=True)
class AccessMatrix:
    """`cases`: name → (URL pattern, GET answers, POST answers, POST data), the answers in the
    order of `roles`. The pattern is filled from the test's world, whose "users" holds the user
    of each role (None for anonymous)."""

    cases: dict[str, tuple]
    roles: tuple[str, ...]

    def request(self, client, world: dict, role: str, method: str, case: str, headers=None):
        """Send the case's request as the role: returns the URL, the expected answer and the
        response."""
        url_pattern, get_answers, post_answers, data = self.cases[case]
        url = url_pattern.format(**world)
        if world["users"][role] is not None:
            client.force_login(world["users"][role])
        answers = get_answers if method == "get" else post_answers
        expected = answers[self.roles.index(role)]
        if method == "get":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data, headers=headers)
        return url, expected, response
