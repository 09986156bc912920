.PHONY: run test lint format ci lock bootstrap
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
bootstrap:
	./scripts/bootstrap
lint: bootstrap
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .
format: bootstrap
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
# Re-resolve the locks (with hashes) from requirements.in / requirements-dev.in after changing a
# direct dependency. uv keeps the pins already in the output files unless the .in files ask
# for other versions.
lock: bootstrap
	.venv/bin/uv pip compile requirements.in --generate-hashes --python-version 3.11.7 \
	  --no-header -o requirements.lock
	.venv/bin/uv pip compile requirements-dev.in --generate-hashes --python-version 3.11.7 \
	  --no-header -o requirements-dev.lock
