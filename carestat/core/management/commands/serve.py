from django.conf import settings

from carestat.core.management.base import CareStatCommand


class Command(CareStatCommand):
    help = (
        "Serve CareStat over HTTP with Waitress (put it behind a TLS proxy in production). "
        "Only the proxy at CARESTAT_TRUSTED_PROXY may say, in its X-Forwarded-* headers, "
        "that a request came over https and from which client."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **opts):
        from waitress import serve

        from carestat.casedata.stores import serving_web
        from carestat.wsgi import application

        serving_web()  # only the worker writes analytics stores, so several servers can run at once

        url = f"http://{opts['host']}:{opts['port']}"
        self.stdout.write(self.style.SUCCESS(f"CareStat is running at {url}  (Ctrl+C to stop)"))
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        self.stdout.flush()
        proxy = {}
        if settings.CARESTAT_TRUSTED_PROXY:
            proxy = {
                "trusted_proxy": settings.CARESTAT_TRUSTED_PROXY,
                "trusted_proxy_headers": " ".join(settings.CARESTAT_TRUSTED_PROXY_HEADERS),
            }
        serve(application, host=opts["host"], port=opts["port"], threads=opts["threads"], ident="CareStat", **proxy)
