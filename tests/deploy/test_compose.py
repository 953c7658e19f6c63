"""docker-compose.yml, Dockerfile and .dockerignore: one image and one shared block for web, the workers
(one per queue) and beat."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
WORKERS = ("worker", "worker-notifications", "worker-imports", "worker-timed", "worker-search")
APP_SERVICES = ("web", *WORKERS, "beat")


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text) -> dict:
    return yaml.safe_load(compose_text)


def test_services_are_exactly_the_expected_ones(compose):
    assert sorted(compose["services"]) == sorted(["postgres", "redis", *APP_SERVICES])
    assert sorted(compose["volumes"]) == ["app-var", "postgres-data", "redis-data"]


def test_web_worker_and_beat_are_built_from_the_one_shared_block(compose_text, compose):
    assert compose_text.count("x-app: &app\n") == 1
    assert compose_text.count("<<: *app\n") == 3  # web, the default worker and beat
    assert compose_text.count("<<: *worker\n") == len(WORKERS) - 1  # the other workers extend the default one
    shared = compose["x-app"]
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["build"] == shared["build"] == {"context": "."}
        assert service["image"] == shared["image"] == "sme-market:latest"
        assert service["environment"] == shared["environment"]
        assert service["volumes"] == shared["volumes"] == ["app-var:/app/var"]


def test_shared_environment_points_at_the_compose_services(compose):
    env = compose["x-app"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert env["DATABASE_URL"] == "postgres://smemarket:${POSTGRES_PASSWORD:-smemarket}@postgres:5432/smemarket"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_DEBUG"):
        assert name in env


def test_every_shared_variable_is_read_by_the_settings(compose):
    settings_source = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "config" / "settings").glob("*.py"))
    read = set(re.findall(r"""(?:env_\w+|_required|os\.environ\.get)\(\s*["'](\w+)["']""", settings_source))
    unknown = set(compose["x-app"]["environment"]) - read - {"DJANGO_SETTINGS_MODULE"}
    assert unknown == set()


def test_postgres_and_redis_have_healthchecks_and_volumes(compose):
    postgres = compose["services"]["postgres"]
    redis = compose["services"]["redis"]
    assert postgres["image"] == "postgres:16"
    assert postgres["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U smemarket -d smemarket"]
    assert postgres["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert redis["image"] == "redis:7"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert redis["volumes"] == ["redis-data:/data"]


def test_start_order_waits_for_healthy_services(compose):
    healthy = {"condition": "service_healthy"}
    services = compose["services"]
    assert services["web"]["depends_on"] == {"postgres": healthy, "redis": healthy}
    for name in (*WORKERS, "beat"):
        assert services[name]["depends_on"] == {"postgres": healthy, "redis": healthy, "web": healthy}


def test_web_migrates_seeds_then_serves_and_has_a_healthcheck(compose):
    web = compose["services"]["web"]
    assert web["command"] == [
        "sh", "-c",
        "python manage.py migrate --noinput && python manage.py seed_demo"
        " && rm -rf /tmp/prometheus-multiproc && mkdir -p /tmp/prometheus-multiproc"
        " && PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc"
        " exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers 3 --access-logfile -",
    ]
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert web["healthcheck"]["test"][:2] == ["CMD", "python"]
    assert "http://127.0.0.1:8000/" in web["healthcheck"]["test"][-1]


def test_worker_and_beat_commands(compose):
    services = compose["services"]
    expected = {"worker": ("celery", "2"), "worker-notifications": ("notifications", "4"),
                "worker-imports": ("imports", "1"), "worker-timed": ("timed", "1"), "worker-search": ("search", "2")}
    for name, (queue, concurrency) in expected.items():
        assert services[name]["command"] == ["celery", "-A", "config", "worker", "-l", "info", "-Q", queue,
                                             "--concurrency", concurrency]
    assert services["beat"]["command"] == ["celery", "-A", "config", "beat", "-l", "info"]
    beats = [name for name, service in services.items() if "beat" in (service.get("command") or [])]
    assert beats == ["beat"]


def test_every_worker_is_checked_by_worker_alive_on_its_own_node(compose):
    # worker_alive's default node is celery@<host name>, the node name of a worker started without -n;
    # each container has its own host name, so each check asks about that very worker.
    for name in WORKERS:
        service = compose["services"][name]
        assert "-n" not in service["command"]
        assert service["healthcheck"]["test"] == ["CMD", "python", "manage.py", "worker_alive"]
        assert service["healthcheck"]["start_period"] == "90s"
    assert compose["services"]["beat"]["healthcheck"]["test"] == ["CMD", "python", "manage.py", "beat_alive"]


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    keywords = {"FROM", "ENV", "RUN", "WORKDIR", "COPY", "USER", "EXPOSE", "CMD"}
    instructions = [line for line in lines if line and line.split()[0] in keywords]
    assert instructions[0] == "FROM python:3.12-slim"
    assert "RUN pip install -r requirements/base.txt" in instructions
    assert "USER app" in instructions
    assert instructions.index("USER app") > max(i for i, line in enumerate(instructions) if line.startswith("RUN"))
    assert instructions[-1] == ('CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", '
                                '"--access-logfile", "-"]')
    assert "python manage.py collectstatic --noinput" in "\n".join(lines)


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "var", "staticfiles", "media", "**/__pycache__"):
        assert entry in ignored
