# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY perezvon ./perezvon
COPY store ./store
COPY bot ./bot
COPY webhook_ingest ./webhook_ingest
COPY delivery ./delivery
COPY tg_emulator ./tg_emulator
COPY connectors ./connectors
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    INGEST_HOST=0.0.0.0 \
    INGEST_PORT=8080
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data perezvon \
    && mkdir -p /data \
    && chown perezvon /data
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,os,sys; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('INGEST_PORT', '8080'), timeout=4); sys.exit(0)"]
ENTRYPOINT ["perezvon"]
CMD ["run"]
