# The shop's production image: `shop` is the entry point, `serve` the default command.
# docker-compose.yml runs the same image as the one-shot migration, the web processes
# and the relay workers.

FROM python:3.12-slim AS build

ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

RUN pip install --no-cache-dir 'uv>=0.8'

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

# The project runs from its source tree: shop/migrate.py finds alembic.ini and
# migrations/ beside the packages.
COPY alembic.ini ./
COPY migrations ./migrations
COPY shared ./shared
COPY modules ./modules
COPY shop ./shop
RUN uv sync --frozen --no-dev


FROM python:3.12-slim

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SHOP_ENV=production

RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin shop

# Owned by root and read-only for the process: the app writes only to the database.
COPY --from=build /app /app
WORKDIR /app
USER shop

EXPOSE 8000
ENTRYPOINT ["shop"]
CMD ["serve", "--no-relay", "--host", "0.0.0.0", "--port", "8000"]
