from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the smallest cost; keeps the algorithm under test while staying fast."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
