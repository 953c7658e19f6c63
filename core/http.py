from django.conf import settings


def client_ip(request) -> str | None:
    """The client address. Behind a proxy set TRUSTED_PROXY_HOPS so X-Forwarded-For is believed."""
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
