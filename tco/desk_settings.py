"""Settings of the desk, from the environment (prefix ``TCO_``): discount limits per role and the
SMTP server quotes are sent through. Read by the front doors (API, web page, command line) and
handed to the services as plain values."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tco.mail import SmtpConfig
from tco.quoting.approval import DiscountLimits


class DeskSettings(BaseSettings):
    """``TCO_DISCOUNT_LIMIT_PERCENT`` (salespeople), ``TCO_DISCOUNT_LIMIT_MANAGER_PERCENT``,
    ``TCO_DISCOUNT_LIMIT_ADMIN_PERCENT``; ``TCO_SMTP_HOST``, ``TCO_SMTP_PORT``,
    ``TCO_SMTP_USER``, ``TCO_SMTP_PASSWORD``, ``TCO_SMTP_FROM``, ``TCO_SMTP_STARTTLS``."""

    model_config = SettingsConfigDict(env_prefix="TCO_", extra="ignore", frozen=True)

    discount_limit_percent: Decimal = Field(
        default=Decimal(15),
        ge=0,
        le=100,
        description="the largest discount a salesperson gives without a manager's approval",
    )
    discount_limit_manager_percent: Decimal = Field(
        default=Decimal(30), ge=0, le=100, description="the largest discount a manager approves"
    )
    discount_limit_admin_percent: Decimal = Field(
        default=Decimal(100), ge=0, le=100, description="the largest discount an admin approves"
    )
    smtp_host: str | None = Field(default=None, description="the SMTP server; unset: no e-mail")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = Field(default=None, description="login; unset: no login")
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_from: str | None = Field(default=None, description="the sender's address")
    smtp_starttls: bool = Field(default=True, description="upgrade the connection with STARTTLS")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)

    @property
    def limits(self) -> DiscountLimits:
        return DiscountLimits(
            sales=self.discount_limit_percent / 100,
            manager=self.discount_limit_manager_percent / 100,
            admin=self.discount_limit_admin_percent / 100,
        )

    @property
    def smtp(self) -> SmtpConfig:
        return SmtpConfig(
            host=self.smtp_host or None,
            port=self.smtp_port,
            user=self.smtp_user or None,
            password=self.smtp_password,
            sender=self.smtp_from or None,
            starttls=self.smtp_starttls,
            timeout_s=self.smtp_timeout_seconds,
        )
