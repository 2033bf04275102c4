# The QuickTry API: a self-contained publish (no .NET runtime image, no registry) on the Debian base.
# Built by scripts/build-service-images.sh, which publishes QuickTry.Api into the build context's app/
# folder and copies this file and ../healthcheck next to it. Not meant for `docker build` on the repository.
FROM debian:bookworm-slim
# libssl3: .NET's cryptography on Linux is OpenSSL (HMAC, hashes, TLS); ca-certificates: outbound HTTPS
# (webhooks). No ICU: the projects set InvariantGlobalization. The bootstrapped base has no apt hook
# that cleans up after installs (the official slim image does), hence apt-get clean and the *.bin caches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && useradd --uid 1654 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin app
COPY healthcheck /usr/local/bin/quicktry-healthcheck
COPY app/ /app/
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /app
# Runs unprivileged: the API needs nothing from the host. 1654 is the uid Microsoft's .NET images give
# their `app` user; it is clear of the sandbox uids (10001, 100000 and up).
USER 1654:1654
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["/usr/local/bin/quicktry-healthcheck"]
ENTRYPOINT ["/app/QuickTry.Api"]
