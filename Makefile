.PHONY: run test lint format ci
# `make run`: set everything up and start it on embedded defaults (see README).
# Extra arguments: make run ARGS="--port 8001 --no-seed"
run:
	./scripts/run $(ARGS)
# `make test`: lint + every test layer (unit/integration, websocket, browser), with a summary.
# Extra pytest arguments: make test ARGS="-x -k signup"
test:
	./scripts/test $(ARGS)
# What CI runs: PostgreSQL + Redis, browser and real-services tests required.
ci:
	./.ci/run
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
