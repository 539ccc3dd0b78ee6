# The orderclaims processes (compose.yaml runs one container per process).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY consumers consumers
COPY producers producers
COPY projections projections
COPY store store
COPY messaging messaging
COPY entrypoints entrypoints
RUN pip install --no-cache-dir . && useradd --system orderclaims
USER orderclaims
ENTRYPOINT ["orderclaims"]
