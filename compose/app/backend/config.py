"""Settings from the environment, validated once at start-up."""
import os
from dataclasses import dataclass


def _flag(name, default):
    value = os.environ.get(name, default).strip().lower()
    if value not in ("on", "off"):
        raise SystemExit(f"backend: {name} must be 'on' or 'off' (got {value!r})")
    return value == "on"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    auth_url: str
    llm_url: str
    port: int
    # The regression switch: off disables retries (database, model) and event buffering/resume.
    resilience: bool
    db_timeout: float
    db_attempts: int
    llm_timeout: float
    llm_attempts: int
    backoff_base: float
    backoff_max: float
    rate_per_minute: int
    max_runs_per_user: int
    max_runs_total: int
    buffer_events: int

    @staticmethod
    def from_environment():
        return Settings(
            database_url=os.environ.get("DATABASE_URL", "postgresql://app@postgres:5432/app"),
            redis_url=os.environ.get("REDIS_URL", "redis://redis:6379/0"),
            auth_url=os.environ.get("AUTH_URL", "http://auth:8081"),
            llm_url=os.environ.get("LLM_URL", "http://llm:8082"),
            port=int(os.environ.get("PORT", "8000")),
            resilience=_flag("BACKEND_RESILIENCE", "on"),
            db_timeout=float(os.environ.get("DB_TIMEOUT_SECONDS", "2")),
            db_attempts=int(os.environ.get("DB_ATTEMPTS", "8")),
            llm_timeout=float(os.environ.get("LLM_TIMEOUT_SECONDS", "2")),
            llm_attempts=int(os.environ.get("LLM_ATTEMPTS", "4")),
            backoff_base=float(os.environ.get("BACKOFF_BASE_SECONDS", "0.25")),
            backoff_max=float(os.environ.get("BACKOFF_MAX_SECONDS", "2")),
            rate_per_minute=int(os.environ.get("RATE_LIMIT_PER_MINUTE", "600")),
            max_runs_per_user=int(os.environ.get("MAX_RUNS_PER_USER", "16")),
            max_runs_total=int(os.environ.get("MAX_RUNS_TOTAL", "64")),
            buffer_events=int(os.environ.get("BUFFER_EVENTS", "1000")),
        )

    @property
    def database_attempts(self):
        return self.db_attempts if self.resilience else 1

    @property
    def model_attempts(self):
        return self.llm_attempts if self.resilience else 1
