.PHONY: run test lint frontend-codegen bench bench-accuracy bench-pipeline bench-vlm bench-pii bench-photos

run:  ## install and run the product on embedded defaults
	bash scripts/run.sh

test:  ## install everything and run the whole suite against real services
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .

frontend-codegen:  ## the clients' API types from the OpenAPI schema, the mini-program's vocabulary copy
	.venv/bin/python scripts/frontend_codegen.py

bench: bench-accuracy bench-pii bench-pipeline

bench-accuracy:
	.venv/bin/python bench/accuracy.py

bench-pii:
	.venv/bin/python bench/pii_overhead.py

bench-pipeline:
	.venv/bin/python bench/pipeline.py

bench-vlm:
	.venv/bin/python bench/vlm_throughput.py

bench-photos:  ## 108 vs 12 MP JPEG time and peak RSS; a 65500x700 strip; several tickets in one photo
	.venv/bin/python bench/photos.py
