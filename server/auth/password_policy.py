"""What makes a password acceptable: NIST SP 800-63B and OWASP ASVS V6 rather than composition rules.

Length from 8 to 128 characters (a passphrase is welcome), and none of the passwords attackers try first. No
"one digit, one symbol" rules: they make passwords harder to remember without making them harder to guess.
"""

from __future__ import annotations

MIN_LENGTH = 8
MAX_LENGTH = 128

#: The passwords that top every published list of breached passwords, and this product's own obvious ones.
#: Short on purpose: a long list belongs in a file, this one stops the guesses made first.
COMMON_PASSWORDS = frozenset("""
password password1 password12 password123 passw0rd p@ssw0rd p@ssword 12345678 123456789 1234567890 12345678910
87654321 11111111 00000000 88888888 12341234 11223344 123123123 qwertyui qwerty123 qwertyuiop 1q2w3e4r
1q2w3e4r5t 1qaz2wsx zaq12wsx asdfghjk asdfasdf abcd1234 abc12345 abcdefgh iloveyou iloveyou1 sunshine
princess football football1 baseball welcome1 welcome123 letmein1 letmein123 trustno1 superman batman123
starwars whatever computer internet dragon123 monkey123 shadow123 michael1 charlie1 jennifer jordan23
liverpool arsenal1 chelsea1 manchester master123 admin123 administrator changeme changeme1 default1
secret123 qazwsxedc zxcvbnm1 homelesspa 1234qwer q1w2e3r4 q1w2e3r4t5 aaaaaaaa estatewalk estatewalk1
housing1 council1 tenant123 resident1
""".split())


class PasswordRefused(ValueError):
    """Why a password is not acceptable, in words for the person choosing it."""


def check_password(password: str, email: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"a password can have at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) == 1:
        raise PasswordRefused("this password is one of the first that attackers try; choose another")
    if email and lowered == email.strip().lower():
        raise PasswordRefused("the password must not be your e-mail address")
