.PHONY: run test lint format bench
# `make run`: everything set up and started on embedded defaults (see README).
run:
	./scripts/run
# `make test`: lint + every test layer (unit/integration, websocket, browser).
test:
	./scripts/test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
