# The QuickTry executor: a self-contained publish on the Debian base, plus the language definitions
# (docker-images/*/language.json and the test programs the catalog shows as examples). The language
# images themselves are not in here: they live on the Docker engine the executor drives.
# Built by scripts/build-service-images.sh (context: app/, languages/, healthcheck and this file).
#
# The executor starts sandbox containers as siblings on the host's engine through a mounted socket
# (/var/run/docker.sock). Whoever can use that socket is root on the host: it can start a privileged
# container that mounts /. So the uid below is not a security boundary against the host; it only keeps
# a bug in the process itself (outside the Docker API) from writing as root in its own container.
# The process runs as the unprivileged `app` user and reaches the socket through the socket's group,
# which differs per host: give it at run time (compose: `group_add`, from scripts/compose.sh, which
# reads it with `stat -c %g /var/run/docker.sock`; Kubernetes: `supplementalGroups`).
FROM debian:bookworm-slim
# libssl3: .NET's cryptography on Linux is OpenSSL (and TLS to a remote engine at tcp://);
# ca-certificates: outbound HTTPS. No ICU: the projects set InvariantGlobalization. The bootstrapped
# base has no apt hook that cleans up after installs (the official slim image does), hence apt-get clean.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && useradd --uid 1654 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin app
COPY healthcheck /usr/local/bin/quicktry-healthcheck
COPY languages/ /opt/quicktry/languages/
COPY app/ /app/
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    Executor__LanguagesPath=/opt/quicktry/languages \
    Executor__DockerEndpoint=unix:///var/run/docker.sock
WORKDIR /app
USER 1654:1654
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/quicktry-healthcheck"]
ENTRYPOINT ["/app/QuickTry.Executor"]
