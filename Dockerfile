# veil's container image: Debian bookworm slim, the binary and the C
# libraries it links, run as an unprivileged user; the root filesystem may
# be mounted read-only (veil writes only its access log, to stdout by
# default). deploy/kubernetes/ runs it as a native sidecar.
#   docker build -t veil:latest .
#   docker run --rm -p 8000:8000 veil:latest run --listen 0.0.0.0:8000 \
#       --upstream http://host.docker.internal:8080
# tests/deploy/test_dockerfile.py checks this file against the binary
# (its libraries, its flags) and the manifests.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        cmake make gcc libc6-dev pkg-config python3 \
        libuv1-dev libpcre2-dev node-llhttp libssl-dev libyaml-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# A profile-guided build (tools/pgo.sh): the engine about a tenth faster,
# the proxy a few percent.
RUN tools/pgo.sh /build -DCMAKE_BUILD_TYPE=Release -DVEIL_BUILD_TESTS=OFF \
        -DCMAKE_INSTALL_PREFIX=/usr/local \
 && DESTDIR=/out cmake --install /build \
 && strip /out/usr/local/bin/veil

FROM debian:bookworm-slim
# The shared libraries `ldd veil` lists, and CA certificates for https://
# upstreams.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libuv1 libpcre2-8-0 libssl3 libyaml-0-2 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 veil \
 && useradd --system --uid 10001 --gid veil --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin veil
COPY --from=build /out/usr/local/bin/veil /usr/local/bin/veil
COPY --from=build /out/usr/local/share/man/man1/veil.1 /usr/local/share/man/man1/veil.1
COPY config/default.yaml /etc/veil/veil.yaml
# Numeric, so that a runAsNonRoot check can tell it is not root.
USER 10001:10001
# The data listener, the probe listener (/live, /ready), the metrics
# listener (/metrics). The admin listener stays on loopback, unpublished.
EXPOSE 8000 9902 9903
ENTRYPOINT ["/usr/local/bin/veil"]
CMD ["run", "-c", "/etc/veil/veil.yaml", "--listen", "0.0.0.0:8000", \
     "--probe-listen", "0.0.0.0:9902", "--metrics-listen", "0.0.0.0:9903"]
